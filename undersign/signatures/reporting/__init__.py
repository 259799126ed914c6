"""What organisers read about a statement's signers: the dashboard and the filtered list.

Public fields only; contacts come through `undersign.signatures.contacts`.
"""

from undersign.signatures.reporting.dashboard import Dashboard, dashboard
from undersign.signatures.reporting.signers import (
    SignerFilter,
    signer_page,
    signers,
)

__all__ = ["Dashboard", "SignerFilter", "dashboard", "signer_page", "signers"]
