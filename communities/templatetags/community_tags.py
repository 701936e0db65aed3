from django import template

from communities.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ community.purpose|markdown }}: members' markdown, sanitised."""
    return render_markdown(text)
