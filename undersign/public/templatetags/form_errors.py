"""The error summary of a form: one link per mistake, to the field it is about."""

from django import forms, template

register = template.Library()


@register.filter
def error_links(form: forms.BaseForm) -> list[tuple[str, str]]:
    """(element id, text) for each field error, in the order the fields are shown.

    A group of radio buttons has no element of its own id: the link goes to the first
    button. A checkbox's label is a whole sentence ("I agree that …"), so its message stands
    alone; other messages are prefixed with the field's name ("Email: …").
    """
    links: list[tuple[str, str]] = []
    for field in form:
        if field.is_hidden or not field.errors:
            continue
        widget = field.field.widget
        target = field.auto_id
        if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
            target = f"{target}_0"
        for message in field.errors:
            if isinstance(widget, forms.CheckboxInput):
                links.append((target, str(message)))
            else:
                links.append((target, f"{field.label}: {message}"))
    return links
