"""The template catalog and the small Velocity renderer."""

from __future__ import annotations

from catalyst_center_simulator.templates import CATALOG, param_names, render


def test_catalog_templates_have_distinct_ids_and_at_least_two_versions() -> None:
    ids = [t.id for t in CATALOG] + [v.id for t in CATALOG for v in t.versions]
    assert len(ids) == len(set(ids))
    assert all(len(t.versions) >= 2 for t in CATALOG)
    assert all(t.latest.version == len(t.versions) for t in CATALOG)


def test_render_substitutes_plain_and_braced_references() -> None:
    params = {"name": "sw1", "domain": "corp"}
    text, missing = render("hostname $name\nip domain name ${domain}.example", params)
    assert text == "hostname sw1\nip domain name corp.example"
    assert missing == []


def test_render_expands_foreach_over_lists_and_comma_separated_strings() -> None:
    content = "#foreach($p in $ports)\ninterface $p\n shutdown\n#end\nend"
    as_list, _ = render(content, {"ports": ["Gi1", "Gi2"]})
    as_text, _ = render(content, {"ports": "Gi1, Gi2"})
    assert as_list == as_text == "interface Gi1\n shutdown\ninterface Gi2\n shutdown\nend"


def test_render_leaves_unresolved_references_and_reports_them() -> None:
    text, missing = render("ntp server $primary\nntp server $secondary", {"primary": "1.1.1.1"})
    assert text == "ntp server 1.1.1.1\nntp server $secondary"
    assert missing == ["secondary"]


def test_param_names_excludes_loop_variables_and_flags_lists() -> None:
    names, lists = param_names("vlan $id\n#foreach($p in $ports)\ninterface $p\n#end")
    assert names == ["id", "ports"]
    assert lists == {"ports"}
