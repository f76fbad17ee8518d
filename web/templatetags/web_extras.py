from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict, key: str) -> str:
    """``{{ t|lookup:row.status }}``: a text by a key held in a variable."""
    return mapping.get(key, key)
