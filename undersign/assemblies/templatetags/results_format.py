from django import template

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """0.4167 → "42%"; nothing for no share."""
    if share is None:
        return ""
    return f"{round(100 * float(share))}%"
