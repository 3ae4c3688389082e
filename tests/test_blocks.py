"""Paragraph extraction from the body container (crawler.parsing.blocks)."""

from parsel import Selector

from crawler.parsing.blocks import paragraphs


def _paragraphs(html: str, exclude: tuple[str, ...] = ()) -> list[str]:
    return paragraphs(Selector(text=html).css("div.body"), exclude)


def test_p_elements_are_paragraphs_and_inline_tags_join() -> None:
    html = '<div class="body"><p><strong>पटना।</strong> पहला   अनुच्छेद।</p><p>दूसरा।</p></div>'
    assert _paragraphs(html) == ["पटना। पहला अनुच्छेद।", "दूसरा।"]


def test_bare_text_runs_split_by_an_excluded_ad_block() -> None:
    html = (
        '<div class="body">पहला अनुच्छेद।<div class="ad"><center>विज्ञापन</center></div>'
        "दूसरा अनुच्छेद।</div>"
    )
    assert _paragraphs(html, (".ad",)) == ["पहला अनुच्छेद।", "दूसरा अनुच्छेद।"]


def test_scripts_figures_and_excluded_furniture_are_left_out() -> None:
    html = (
        '<div class="body"><p>खबर।</p><script>var x = 1;</script>'
        "<figure><img src='a.jpg'><figcaption>फोटो कैप्शन</figcaption></figure>"
        '<div class="related"><a href="/x">यह भी पढ़ें</a></div><p>अंत।</p></div>'
    )
    assert _paragraphs(html, (".related",)) == ["खबर।", "अंत।"]
