"""Read a web page into its main content only, as logical blocks of clean text.

Citation quotes are verbatim slices of the text built here, so page furniture (menus,
breadcrumbs, cookie banners, footers, reference lists, "[edit]" links, footnote markers)
must never reach it: it would be quoted back to users as if it were evidence.

How: parse with lxml (never executes anything), drop inert and hostile parts, choose the
main-content node (a `<main>`/`role=main`/`<article>` landmark when the page has one,
otherwise the body), prune furniture by tag, ARIA role and class/id vocabulary, walk the
node into heading / paragraph / bullet / table-row blocks, then drop back-matter sections
("References", "See also", ...). Then trafilatura's boilerplate classifier checks the blocks:
on a page without a landmark it decides which blocks are main content; inside a landmark it may
only veto blocks that are not prose (related links, ads, datelines), because it also drops real
lead paragraphs and data tables. When it keeps less than half of the text, or fails, the rules'
reading stands (bench/html_extractors.py has the figures behind these choices).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import lxml.etree
import lxml.html

from ingest.structure import BlockKind, LoadedDocument, LoadError, TextBuilder

# Elements whose content is never readable text (or is active content).
_INERT = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "svg", "math", "canvas", "audio", "video", "picture", "source", "track", "map", "img", "link", "meta",
    "head", "form", "button", "input", "select", "option", "textarea", "label", "dialog", "datalist", "output",
)  # fmt: skip
_VOID = ("embed", "source", "track", "param", "wbr", "keygen", "img", "input", "link", "meta")
# Structural furniture, whatever the page calls it.
_FURNITURE_TAGS = ("nav", "aside", "footer", "menu")
_FURNITURE_ROLES = {
    "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "toolbar",
    "dialog", "alertdialog", "tablist", "doc-backlink", "doc-endnotes", "doc-footnote", "doc-bibliography",
}  # fmt: skip
# class/id vocabulary of furniture: a substring of a class or id token (compound words only: ids are often
# made from heading text, so "promotion" or "social care" must not match) ...
_FURNITURE_SUBSTRINGS = (
    "breadcrumb", "cookie", "consent-", "gdpr", "navbox", "navbar", "infobox", "editsection", "skip-link",
    "skiplink", "skip-to", "skipto", "published-dates", "sidebar", "sidenav", "masthead", "site-header",
    "global-header", "navigation-header", "header-nav", "footer", "newsletter", "outbrain", "taboola", "print-link",
    "catlinks", "reflist", "refbegin", "references", "footnotes", "endnotes", "contents-list", "mw-jump", "jump-to",
    "sitesub", "contentsub", "hatnote", "ambox", "metadata", "noprint", "sistersitebox", "authority-control",
    "visually-hidden", "visuallyhidden", "sr-only", "screen-reader", "screenreader", "phase-banner", "global-bar",
    "emergency-banner", "review-date", "share-links", "social-links", "social-share", "social-media",
    "social-icons", "related-content", "related-links", "related-articles", "related-navigation", "related-posts",
    "related-stories", "disqus", "mw-indicators", "shortdescription", "feedback", "pagination", "promo-", "advert",
    "govuk-caption", "nhsuk-caption",
)  # fmt: skip
# ... or a whole part of a token split at "-" / "_" (short words that would over-match as substrings).
_FURNITURE_PARTS = {
    "nav", "navigation", "menu", "menubar", "toc", "share", "sharing", "socials", "ad", "ads", "sponsor",
    "sponsored", "promo", "promos", "meta", "search", "login", "signin", "widget", "widgets", "tags", "popup",
    "modal", "overlay", "toolbar", "portal", "survey", "tools", "utility", "breadcrumbs", "pager", "btn", "button",
    "buttons", "cta", "comments", "comment", "related", "byline", "subscribe",
    "suggest", "suggested", "suggestions",
}  # fmt: skip
# A class/id match never removes an element that holds this share of the page's text (a content wrapper
# named e.g. "content-with-sidebar"), unless it is mostly links.
_GUARD_SHARE = 0.5
_GUARD_LINK_DENSITY = 0.5
_ID_MAX_PARTS = 2
_LANDMARK_MIN_CHARS = 200
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dir", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "html", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "search",
}  # fmt: skip
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BACK_MATTER = re.compile(
    r"""^(?:references|notes|footnotes|endnotes|citations|sources|bibliography|further\ reading|external\ links
      |see\ also|notes\ and\ references|references\ and\ notes|works\ cited|related\ (?:articles|pages
      |content|links|topics|guidance)|explore\ the\ topic|elsewhere\ on\ the\ web|more\ on\ this\ story
      |share\ this\ (?:page|article|story)|contents|table\ of\ contents|on\ this\ page)$""",
    re.IGNORECASE | re.VERBOSE,
)
_FURNITURE_LINE = re.compile(
    r"""^(?:skip\ to\ (?:the\ )?(?:main\ )?(?:content|contents|navigation|search|footer)\b.{0,30}
      |back\ to\ top|return\ to\ top|top\ of\ page|print\ this\ page|share\ this\ (?:page|article|story)
      |is\ this\ page\ useful\??|was\ this\ (?:page|article)\ (?:helpful|useful)\??
      |report\ a\ problem\ with\ this\ page|page\ last\ (?:updated|reviewed)\b.{0,40}
      |last\ (?:updated|reviewed|modified):?\ .{1,30}|next\ review\ due:?\ .{1,30}
      |(?:first\ )?published:?\ (?:on\ )?\d{1,2}\ [a-z]+\ \d{4}
      |this\ page\ was\ last\ (?:modified|edited)\ on\ .*|jump\ to\ (?:navigation|search|content)
      |from\ wikipedia,\ the\ free\ encyclopedia|retrieved\ from\ .{1,200}
      |cookies\ on\ .{1,60}|(?:accept|reject)\ (?:all\ |additional\ |analytics\ |optional\ )?cookies
      |view\ cookies|cookie\ (?:settings|preferences|policy)|hide\ (?:this\ )?message|\[\s*edit\s*\])$""",
    re.IGNORECASE | re.VERBOSE,
)
_EDIT_SUFFIX = re.compile(r"\s*\[\s*edit(?:\s+source)?\s*\]\s*$", re.IGNORECASE)
_BRACKET_MARKER = re.compile(r"^\s*\[\s*[^\[\]]{1,40}\]\s*$")  # [1], [a], [note 2], [citation needed]
_NUMBER_MARKER = re.compile(r"^\s*\[\s*\d{1,3}\s*\]\s*$")
_SHORT_MARKER = re.compile(r"^\s*(?:\d{1,3}|[a-z]|[ivx]{1,4})\s*$")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TITLE_SEPARATOR = re.compile(r"\s+(?:[-|–—·:]{1,2}|::)\s+")
_SITE_SUFFIX_MAX_WORDS = 4
_SITE_SUFFIX_MAX_CHARS = 40
_LAYOUT_CELL_CHARS = 600
_LINK_LINE_MAX_CHARS = 120
_TRAFILATURA_MIN_SHARE = 0.5
_PROSE_MIN_CHARS = 80
_PROSE_MAX_LINKED = 0.5

# looks_like_html
_HTML_START = re.compile(r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])", re.I | re.S)
_TAG = re.compile(
    r"</?(html|head|body|title|meta|link|script|style|p|div|span|a|table|tr|td|th|ul|ol|li|h[1-6]|br|img|section"
    r"|article|nav|header|footer|main|strong|em|b|i|form|input|blockquote|pre|iframe)\b[^<>]*>",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"^(?:#{1,6}\s+\S|```|~~~|\s*[-*+]\s+\[[ xX]\]|\s*\[[^\]]+\]:\s*\S)|\]\([^)\s]+\)", re.M)
_MIN_TAGS = 4
_MIN_DENSITY_AT_START = 0.05
_MIN_DENSITY_ANYWHERE = 0.2


Classifier = Literal["auto", "no-landmark", "always", "never"]


@dataclass(frozen=True)
class Piece:
    """One block-to-be: its kind, heading level and whitespace-folded text."""

    kind: BlockKind
    text: str
    level: int = 0
    row: bool = False  # a data-table row
    linked: float = 0.0  # share of the text that is link text


def looks_like_html(text: str) -> bool:
    """True when a `.txt` file really holds a web page (so it should be read as HTML, not shown as tags).

    A doctype or `<html>` at the start decides at once; otherwise several distinct tags must make up a
    real share of the text, and Markdown (which may embed a tag or two) never counts.
    """
    head = text.lstrip("\ufeff \t\r\n")
    if _HTML_START.match(head[:4096]):
        return True
    sample = head[:50_000]
    tags = list(_TAG.finditer(sample))
    if len(tags) < _MIN_TAGS or len({match.group(1).lower() for match in tags}) < 2:
        return False
    if _MARKDOWN.search(sample):
        return False
    density = sum(len(match.group(0)) for match in tags) / max(len(sample), 1)
    return density >= (_MIN_DENSITY_AT_START if head.startswith("<") else _MIN_DENSITY_ANYWHERE)


def read_html(markup: str) -> LoadedDocument:
    """Main content of a web page as a document whose blocks are headings, paragraphs, bullets and table rows."""
    return _read(markup, "auto")


def _read(markup: str, classifier: Classifier) -> LoadedDocument:
    """read_html with the trafilatura check chosen (the bench compares them).

    "auto" (shipped): on a page without a landmark trafilatura decides; on a page with one it may only veto
    pieces that are not prose (short or link-heavy: related links, ads, datelines). "no-landmark": only the
    first half. "always": trafilatura decides everywhere. "never": hand rules alone.
    """
    root = _parse(markup)
    title = _page_title(root)
    pieces = _main_pieces(root, classifier)
    builder = TextBuilder()
    for piece in pieces:
        builder.add(piece.text, piece.kind, piece.level)
    if not builder.blocks:
        raise LoadError("no text found in web page")
    text = builder.text()
    if not title:
        title = next((text[b.start : b.end] for b in builder.blocks if b.kind == "heading" and b.level == 1), "")
    return LoadedDocument(text, title, tuple(builder.blocks))


def _parse(markup: str) -> lxml.html.HtmlElement:
    """An lxml tree of the page; the parser is lenient, so only an empty page fails."""
    markup = _CONTROL.sub("", _XML_DECLARATION.sub("", markup.lstrip("\ufeff")))
    if not markup.strip():
        raise LoadError("no text found in web page")
    try:
        root = lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        raise LoadError("no text found in web page") from None
    return root


def _page_title(root: lxml.html.HtmlElement) -> str:
    """The page's <title> without a trailing site name (" - Wikipedia", " | GOV.UK"), else the first h1."""
    title_element = root.find(".//title")
    title = _fold(title_element.text_content()) if title_element is not None else ""
    if title:
        parts = _TITLE_SEPARATOR.split(title)
        separators = _TITLE_SEPARATOR.findall(title)
        if len(parts) > 1:
            suffix = parts[-1]
            prefix = title[: len(title) - len(suffix) - len(separators[-1])]
            short = len(suffix.split()) <= _SITE_SUFFIX_MAX_WORDS and len(suffix) <= _SITE_SUFFIX_MAX_CHARS
            if short and prefix.strip() and ":" not in separators[-1]:
                title = prefix.strip()
        return title
    h1 = root.find(".//h1")
    return _fold(h1.text_content()) if h1 is not None else ""


def _main_pieces(root: lxml.html.HtmlElement, classifier: Classifier) -> list[Piece]:
    """The page's main content: landmark + hand rules, then the trafilatura check `classifier` asks for."""
    _drop_inert(root)
    _drop_markers(root)
    landmark = _landmark(root)
    scope = landmark if landmark is not None else (root.find("body") if root.find("body") is not None else root)
    _drop_furniture(scope, keep_headers=landmark is not None)
    pieces = _drop_back_matter(list(_walk(scope)))
    if pieces and classifier != "never" and (landmark is None or classifier in ("auto", "always")):
        pieces = _keep_main_by_trafilatura(root, pieces, spare_prose=landmark is not None and classifier == "auto")
    return pieces


# --- pruning ----------------------------------------------------------------------------------------


def _drop_inert(root: lxml.html.HtmlElement) -> None:
    """Remove active, hidden and non-text content: it is never evidence, and script text is hostile."""
    for node in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction, lxml.etree.Entity)):
        _remove(node)
    for element in list(root.iter(*_INERT)):
        if element.tag in _VOID and element.getparent() is not None:
            element.drop_tag()  # lxml does not know every void element: an <embed> may swallow what follows
        elif element.tag == "head" or element.getparent() is not None:
            _remove(element)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        hidden = element.get("hidden")
        if (hidden is not None and hidden != "until-found") or element.get("aria-hidden", "").lower() == "true":
            _remove(element)  # "until-found" marks collapsed accordion text the browser still finds: content
        elif _invisible(element):
            _remove(element)
        elif element.tag == "a" and element.get("href", "").strip().lower().startswith(("javascript:", "vbscript:")):
            # a script link's label is kept when it is part of a sentence or wraps whole blocks; a bare control goes
            if _inside_running_text(element) or any(child.tag in _BLOCK_TAGS for child in element.iter()):
                element.drop_tag()
            else:
                _remove(element)


def _invisible(element: lxml.html.HtmlElement) -> bool:
    style = element.get("style", "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _inside_running_text(element: lxml.html.HtmlElement) -> bool:
    parent = element.getparent()
    if parent is None:
        return False
    own = len(_fold(element.text_content()))
    return len(_fold(parent.text_content())) > own + 3


def _drop_markers(root: lxml.html.HtmlElement) -> None:
    """Remove footnote markers ([1], [a], [citation needed]) and "[edit]" links; sentences read on without them."""
    for element in list(root.iter("sup", "a", "span")):
        if element.getparent() is None:
            continue
        text = element.text_content()
        classes = element.get("class", "")
        in_page_link = element.get("href", "").startswith("#")
        if element.tag == "sup":
            links_in_page = any(a.get("href", "").startswith("#") for a in element.iter("a"))
            marker = _BRACKET_MARKER.match(text) or (_SHORT_MARKER.match(text) and links_in_page)
            if marker or "reference" in classes:
                _remove(element)
        elif element.tag == "a" and in_page_link:
            # "[1]" as the link text, or "[<a href="#note1">1</a>]" (the brackets go with it)
            if _NUMBER_MARKER.match(text) or (_SHORT_MARKER.match(text) and _bracketed(element)):
                _remove(element)
        elif element.tag == "span" and "editsection" in classes:
            _remove(element)


def _bracketed(element: lxml.html.HtmlElement) -> bool:
    """True (and the brackets removed) when a marker link sits between "[" and "]" in the surrounding text."""
    previous = element.getprevious()
    parent = element.getparent()
    before = previous.tail if previous is not None else parent.text
    if not (before or "").rstrip().endswith("[") or not (element.tail or "").lstrip().startswith("]"):
        return False
    stripped = (before or "").rstrip()[:-1]
    if previous is not None:
        previous.tail = stripped
    else:
        parent.text = stripped
    element.tail = (element.tail or "").lstrip()[1:]
    return True


def _landmark(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The page's own statement of where its main content is, if it makes one that holds real text."""
    for query in ("//main", "//*[@role='main']", "//article"):
        found = [
            element
            for element in root.xpath(query)
            if element.tag not in ("html", "body") and len(_fold(element.text_content())) >= _LANDMARK_MIN_CHARS
        ]
        outer = [element for element in found if not any(_contains(other, element) for other in found)]
        if outer:  # several articles (a listing page): the one with most text
            return max(outer, key=lambda element: len(element.text_content()))
    return None


def _contains(ancestor: lxml.html.HtmlElement, element: lxml.html.HtmlElement) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _drop_furniture(scope: lxml.html.HtmlElement, *, keep_headers: bool) -> None:
    """Remove navigation, banners, sidebars, footers and reference lists inside the main-content node."""
    total = max(len(_fold(scope.text_content())), 1)
    for element in list(scope.iterdescendants()):
        if not isinstance(element.tag, str) or element.getparent() is None or not _attached(element, scope):
            continue
        tag = element.tag
        # a heading's id is made from its text ("Social care", "Health promotion"): judge headings by class only
        in_heading = tag in _HEADINGS or any(parent.tag in _HEADINGS for parent in element.iterancestors())
        if tag == "caption":
            continue  # a data table's caption ("govuk-table__caption") says what the rows are
        if tag in _FURNITURE_TAGS or (tag == "header" and not keep_headers):
            _remove(element)
        elif element.get("role", "").lower() in _FURNITURE_ROLES or _furniture_name(element, use_id=not in_heading):
            small = len(_fold(element.text_content())) < _GUARD_SHARE * total
            if small or _link_density(element) > _GUARD_LINK_DENSITY:
                _remove(element)


def _attached(element: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> bool:
    return any(parent is scope for parent in element.iterancestors())


def _furniture_name(element: lxml.html.HtmlElement, *, use_id: bool) -> bool:
    """Class or id names furniture. Ids made of several words are usually made from text, so they are only
    matched against compound furniture words ("related-party-transactions" is not a related-links box)."""
    classes = element.get("class", "").lower().split()
    ids = element.get("id", "").lower().split() if use_id else []
    for token in classes + ids:
        if any(word in token for word in _FURNITURE_SUBSTRINGS):
            return True
        parts = [part for part in re.split(r"[-_]+", token) if part]
        if (token in classes or len(parts) <= _ID_MAX_PARTS) and any(part in _FURNITURE_PARTS for part in parts):
            return True
    return False


def _link_density(element: lxml.html.HtmlElement) -> float:
    text = len(_fold(element.text_content()))
    linked = sum(len(_fold(link.text_content())) for link in element.iter("a"))
    return linked / text if text else 1.0


def _remove(node: lxml.etree._Element) -> None:
    """Remove a node but keep its tail text, which belongs to the parent's sentence."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail
    previous = node.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


# --- walking ----------------------------------------------------------------------------------------


def _walk(scope: lxml.html.HtmlElement) -> Iterator[Piece]:
    """Blocks of a pruned node in reading order: each heading, paragraph, list item and table row once."""
    walker = _Walker()
    walker.visit(scope, "paragraph", 0)
    walker.flush("paragraph", 0)
    yield from walker.pieces


class _Walker:
    """Collect inline text until a block boundary (block element or line break) ends a piece."""

    def __init__(self) -> None:
        self.pieces: list[Piece] = []
        self.buffer: list[tuple[str, bool]] = []  # (text, is link text)

    def flush(self, kind: BlockKind, level: int) -> None:
        text = _fold(_INVISIBLE.sub("", "".join(part for part, _ in self.buffer)))
        linked = sum(len(_fold(part)) for part, in_link in self.buffer if in_link)
        self.buffer = []
        if kind == "heading":
            text = _EDIT_SUFFIX.sub("", text)
        if not text or _FURNITURE_LINE.match(text):
            return
        if kind == "paragraph" and linked and linked >= len(text) - 1 and len(text) <= _LINK_LINE_MAX_CHARS:
            return  # a lone link ("Read the full transcript", "View a printable version") is a way out, not content
        self.pieces.append(Piece(kind, text, level, linked=min(linked / len(text), 1.0)))

    def visit(self, element: lxml.html.HtmlElement, kind: BlockKind, level: int, in_link: bool = False) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            if kind == "heading":
                self.buffer.append((" ", False))
            else:
                self.flush(kind, level)
            return
        if tag == "table" and not _is_layout_table(element):
            self.flush(kind, level)
            self._table(element)
            return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush(kind, level)
            if tag in _HEADINGS:
                kind, level = "heading", _HEADINGS[tag]
            elif tag == "li":
                kind, level = "bullet", 0
        inner_link = in_link or tag == "a"
        if element.text:
            self.buffer.append((element.text, inner_link))
        for child in element:
            self.visit(child, kind, level, inner_link)
            if child.tail:
                self.buffer.append((child.tail, inner_link))
        if block:
            self.flush(kind, level)

    def _table(self, table: lxml.html.HtmlElement) -> None:
        caption = table.find("caption")
        if caption is not None and _fold(caption.text_content()):
            self.pieces.append(Piece("paragraph", _fold(caption.text_content())))
        for row in _rows(table):
            cells = [_fold(_cell_text(cell)) for cell in row if cell.tag in ("td", "th")]
            cells = [cell for cell in cells if cell]
            if cells:
                self.pieces.append(Piece("paragraph", " | ".join(cells), row=True))


def _rows(table: lxml.html.HtmlElement) -> Iterable[lxml.html.HtmlElement]:
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    """A cell's text with block children and line breaks kept apart by a space."""
    parts: list[str] = []

    def visit(node: lxml.html.HtmlElement) -> None:
        block = node.tag in _BLOCK_TAGS or node.tag == "br"
        if block:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                visit(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append(" ")

    visit(cell)
    return "".join(parts)


def _is_layout_table(table: lxml.html.HtmlElement) -> bool:
    """A table used for page layout (one row or column, or cells holding prose): its cells are read as blocks."""
    if table.get("role", "").lower() in ("presentation", "none") or table.find(".//table") is not None:
        return True
    rows = [[cell for cell in row if cell.tag in ("td", "th")] for row in _rows(table)]
    if len(rows) < 2 or max(len(cells) for cells in rows) < 2:
        return True
    for cells in rows:
        for cell in cells:
            if len(_fold(cell.text_content())) > _LAYOUT_CELL_CHARS or len(cell.findall(".//p")) > 1:
                return True
            if any(cell.find(f".//{tag}") is not None for tag in _HEADINGS):
                return True
    return False


# --- after the walk -----------------------------------------------------------------------------------


def _drop_back_matter(pieces: list[Piece]) -> list[Piece]:
    """Drop "References", "See also", "External links" (and similar) sections: source lists are not findings."""
    kept: list[Piece] = []
    skipping_level: int | None = None
    for piece in pieces:
        if piece.kind == "heading":
            if skipping_level is not None and piece.level <= skipping_level:
                skipping_level = None
            if skipping_level is None and _BACK_MATTER.match(piece.text.strip(" :")):
                skipping_level = piece.level
        if skipping_level is None:
            kept.append(piece)
    return kept


def _keep_main_by_trafilatura(root: lxml.html.HtmlElement, pieces: list[Piece], *, spare_prose: bool) -> list[Piece]:
    """Keep the pieces trafilatura's boilerplate classifier calls main content (real prose spared if asked).

    Trafilatura reads the already-pruned tree. If it keeps less than half of what the rules found, it
    probably missed real content (prose in layout tables, short pages), so the rules win outright.
    """
    try:
        import trafilatura
    except ImportError:  # optional: the hand rules alone still give a clean reading
        return pieces
    try:
        extracted = trafilatura.extract(
            lxml.html.tostring(root, encoding="unicode"),
            favor_recall=True,
            include_tables=True,
            include_comments=False,
            include_links=False,
            include_images=False,
            deduplicate=False,
        )
    except Exception:  # a third-party failure must not lose the page: the rules' reading stands
        return pieces
    if not extracted:
        return pieces
    main_text = _squash(extracted)
    chosen = [_squash(piece.text) in main_text for piece in pieces]
    kept_chars = sum(len(piece.text) for piece, kept in zip(pieces, chosen) if kept)
    if kept_chars < _TRAFILATURA_MIN_SHARE * sum(len(piece.text) for piece in pieces):
        return pieces
    keep = [c or (spare_prose and _is_prose(piece)) for piece, c in zip(pieces, chosen)]
    # trafilatura often leaves data tables out: a table stays whole when the text just before it stays
    index = 0
    while index < len(pieces):
        if not pieces[index].row:
            index += 1
            continue
        end = index
        while end < len(pieces) and pieces[end].row:
            end += 1
        if any(keep[index:end]) or (index > 0 and keep[index - 1]):
            keep[index:end] = [True] * (end - index)
        index = end
    # a heading also stays when anything under it stays (trafilatura drops headings it cannot place)
    for index, piece in enumerate(pieces):
        if piece.kind == "heading" and not keep[index]:
            for later, following in enumerate(pieces[index + 1 :], start=index + 1):
                if following.kind == "heading" and following.level <= piece.level:
                    break
                if keep[later] and following.kind != "heading":
                    keep[index] = True
                    break
    return [piece for piece, kept in zip(pieces, keep) if kept]


def _is_prose(piece: Piece) -> bool:
    """A real paragraph (long, few links, ends like a sentence): never vetoed inside a landmark."""
    text = piece.text.rstrip(" )\"'”’")
    return (
        piece.kind != "heading"
        and len(text) >= _PROSE_MIN_CHARS
        and piece.linked < _PROSE_MAX_LINKED
        and text.endswith((".", "!", "?", ":", ";"))
    )


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _fold(text: str) -> str:
    return " ".join(text.split())
