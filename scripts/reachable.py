"""Exit 0 when the PostgreSQL and Redis of the given URLs answer, 1 otherwise (quickly).

`make test` uses it to decide whether to run the suite a second time against them.
"""

import socket
import sys
from urllib.parse import urlsplit


def answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


def main() -> int:
    database_url, redis_url = sys.argv[1:3]
    down = [
        url for url, port in ((database_url, 5432), (redis_url, 6379)) if not answers(url, port)
    ]
    for url in down:
        print(f"not reachable: {urlsplit(url).netloc}", file=sys.stderr)
    return 1 if down else 0


if __name__ == "__main__":
    sys.exit(main())
