"""A real crawl of a catalog written with ASP.NET WebForms and saved from the browser (issue
26), a kind the corpus has none of: pages told apart only by their `?id=` query under one
<title>, every element id the master page's `ctl00_ContentPlaceHolder1_...`."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

PRODUCTS = PUMPS | VALVES
IDS = {code: 11 + n for n, code in enumerate(PRODUCTS)}


def webforms(body: str, action: str) -> str:
    """An ASP.NET WebForms page saved from the browser: one <title> on every page, the whole
    page one form with its view state, a menu of image buttons, the content in a master page's
    placeholder, every element id `ctl00_...`."""
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"'
        ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head id="ctl00_Head1"><title>'
        "\r\n\tHydroTech Industries - Pumps &amp; Valves\r\n</title>"
        '<link href="App_Themes/Default/Style.css" type="text/css" rel="stylesheet" /></head>'
        f'<body><form name="aspnetForm" method="post" action="{action}" id="aspnetForm"><div>'
        '<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />'
        '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE"'
        ' value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWAgIFD2QWAmYPZBYCAgEPFgIeBFRleHQFE" />'
        '</div><script type="text/javascript">//<![CDATA[\nvar theForm = document.forms'
        "['aspnetForm'];\nfunction __doPostBack(eventTarget, eventArgument) {"
        " theForm.__EVENTTARGET.value = eventTarget; theForm.submit(); }\n//]]></script>"
        '<table id="tblMain" width="980" cellpadding="0" cellspacing="0" align="center"><tr>'
        '<td colspan="2"><img id="ctl00_imgHeader" src="images/header.jpg"'
        ' style="border-width:0px;" /></td></tr><tr><td class="menu" valign="top" width="180">'
        '<a id="ctl00_lnkHome" href="Default.aspx"><img src="images/m_home.gif" alt="Home"'
        ' style="border-width:0px;" /></a><br /><a id="ctl00_lnkPumps"'
        ' href="Products.aspx?cat=1"><img src="images/m_pumps.gif" alt="Pumps"'
        ' style="border-width:0px;" /></a><br /><a id="ctl00_lnkValves"'
        ' href="Products.aspx?cat=2"><img src="images/m_valves.gif" alt="Valves"'
        ' style="border-width:0px;" /></a><br /><a id="ctl00_lnkContact"'
        ' href="ContactUs.aspx"><img src="images/m_contact.gif" alt="Contact Us"'
        ' style="border-width:0px;" /></a></td><td class="content" valign="top">'
        f'<div id="ctl00_ContentPlaceHolder1_pnlContent">{body}</div></td></tr><tr>'
        '<td colspan="2" class="footer"><span id="ctl00_lblFooter">Copyright &copy; 2009'
        " HydroTech Industries Pvt. Ltd. All rights reserved.</span> | <a"
        " id=\"ctl00_lnkSitemap\" href=\"javascript:__doPostBack('ctl00$lnkSitemap','')\">"
        "Sitemap</a></td></tr></table></form></body></html>"
    )


def build_webforms(site: LocalSite) -> str:
    groups = {1: PUMPS, 2: VALVES}
    site.add(
        "/Default.aspx",
        webforms(
            '<span id="ctl00_ContentPlaceHolder1_lblWelcome" class="Heading">Welcome to'
            " HydroTech</span><p>HydroTech Industries manufactures pumps and valves for"
            " irrigation, water supply and process industries since 1985.</p>",
            "Default.aspx",
        ),
    )
    site.add(
        "/ContactUs.aspx",
        webforms(
            '<span id="ctl00_ContentPlaceHolder1_lblTitle" class="Heading">Contact Us</span>'
            '<table><tr><td>Name</td><td><input name="ctl00$ContentPlaceHolder1$txtName"'
            ' type="text" id="ctl00_ContentPlaceHolder1_txtName" /></td></tr></table>'
            '<input type="submit" name="ctl00$ContentPlaceHolder1$btnSubmit" value="Submit" />',
            "ContactUs.aspx",
        ),
    )
    for cat, items in groups.items():
        cells = "".join(
            f'<td align="center"><a id="ctl00_ContentPlaceHolder1_dlProducts_ctl0{n}_hlImage"'
            f' href="ProductDetail.aspx?id={IDS[code]}"><img'
            f' src="ProductImages/Thumbs/{IDS[code]}.jpg" style="border-width:0px;" /></a><br />'
            f'<a id="ctl00_ContentPlaceHolder1_dlProducts_ctl0{n}_hlName"'
            f' href="ProductDetail.aspx?id={IDS[code]}">{name}</a></td>'
            for n, (code, name) in enumerate(items.items())
        )
        site.add(
            f"/Products.aspx?cat={cat}",
            webforms(
                f'<span id="ctl00_ContentPlaceHolder1_lblCategory" class="Heading">'
                f"{'Pumps' if cat == 1 else 'Valves'}</span><table"
                ' id="ctl00_ContentPlaceHolder1_dlProducts" cellspacing="0" border="0"'
                f' style="border-collapse:collapse;"><tr>{cells}</tr></table>',
                f"Products.aspx?cat={cat}",
            ),
        )
        for code, name in items.items():
            pid = IDS[code]
            site.add(
                f"/ProductDetail.aspx?id={pid}",
                webforms(
                    '<table width="100%" cellpadding="4"><tr><td valign="top" width="320">'
                    f'<img id="ctl00_ContentPlaceHolder1_imgProduct" src="ProductImages/{pid}.jpg"'
                    ' style="height:240px;width:320px;border-width:0px;" /></td>'
                    '<td valign="top"><span id="ctl00_ContentPlaceHolder1_lblProductName"'
                    f' class="ProductName">{name}</span><br /><br />'
                    '<span id="ctl00_ContentPlaceHolder1_lblDescription">Cast iron body,'
                    " stainless trim, tested to 16 bar. Suitable for clean water.</span>"
                    '<table id="ctl00_ContentPlaceHolder1_gvSpecs" class="GridView" rules="all"'
                    ' border="1"><tr><th scope="col">Parameter</th><th scope="col">Value</th>'
                    "</tr><tr><td>Pressure</td><td>16 bar</td></tr><tr><td>Weight</td>"
                    "<td>31 kg</td></tr></table><br />"
                    '<input type="submit" name="ctl00$ContentPlaceHolder1$btnEnquiry"'
                    ' value="Send Enquiry" id="ctl00_ContentPlaceHolder1_btnEnquiry" />'
                    f'</td></tr></table><a href="Products.aspx?cat={cat}">&lt;&lt; Back</a>',
                    f"ProductDetail.aspx?id={pid}",
                ),
            )
    return "/Default.aspx"


def test_aspnet_webforms_pages_under_one_title_told_apart_by_their_query(tmp_path: Path) -> None:
    """Every page has the same <title> and no heading; the name is a span the master page's
    placeholder shows beside the photo, the pages `ProductDetail.aspx?id=N`."""
    found = crawl_found(tmp_path, build_webforms)
    assert_found(
        found,
        {
            f"/ProductDetail.aspx?id={IDS[code]}": (name, {f"/ProductImages/{IDS[code]}.jpg"})
            for code, name in PRODUCTS.items()
        },
    )
