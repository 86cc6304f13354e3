"""The command as a whole: exit codes, network-down detection, safety, --offline, --strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.linkcheck import client
from briefgen.linkcheck.safety import address_refusal, scheme_refusal

from .conftest import _HTTPServer, url_of
from .helpers import check, check_json, write_links


def test_all_live_exits_0(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    links = write_links(tmp_path, [url_of(http_server, "/ok")])
    code, out, _ = check(tmp_path, [str(links), "--allow-private"], capsys)
    assert code == 0
    assert "1 ok" in out


def test_broken_exits_1_and_names_the_citation(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url_of(http_server, "/missing")
    links = write_links(tmp_path, [url_of(http_server, "/ok"), url])
    code, out, _ = check(tmp_path, [str(links), "--allow-private"], capsys)
    assert code == 1
    assert "links.md:4" in out
    assert url in out
    assert "not found (404)" in out


def test_warnings_exit_0_but_1_when_strict(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    links = write_links(tmp_path, [url_of(http_server, "/bot")])
    assert check(tmp_path, [str(links), "--allow-private"], capsys)[0] == 0
    assert check(tmp_path, [str(links), "--allow-private", "--strict"], capsys)[0] == 1


def test_only_unresolvable_hosts_means_network_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links = write_links(tmp_path, ["https://nowhere.invalid/a", "http://also-not.invalid/b"])
    code, out, err = check(tmp_path, [str(links)], capsys)
    assert code == 3
    assert out.strip().count("\n") == 0
    assert "network is unavailable" in out
    assert "broken" not in out + err


def test_network_down_is_not_cached_as_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links = write_links(tmp_path, ["https://nowhere.invalid/a"])
    check(tmp_path, [str(links)], capsys)
    code, report = check_json(tmp_path, [str(links), "--offline"], capsys)
    assert report["links"][0]["verdict"] == "unchecked"
    assert code == 3


def test_unresolvable_host_among_live_ones_is_broken(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = "https://nowhere.invalid/a"
    links = write_links(tmp_path, [dead, url_of(http_server, "/ok")])
    code, report = check_json(tmp_path, [str(links), "--allow-private"], capsys)
    assert code == 1
    verdicts = {link["url"]: link["verdict"] for link in report["links"]}
    assert verdicts[dead] == "broken"
    assert "does not resolve" in report["links"][0]["reason"]
    assert report["summary"]["network_unavailable"] is False


def test_private_address_is_refused_without_sending(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url_of(http_server, "/ok")
    links = write_links(tmp_path, [url])
    code, report = check_json(tmp_path, [str(links)], capsys)
    link = report["links"][0]
    assert link["verdict"] == "blocked"
    assert "loopback" in link["reason"]
    assert "--allow-private" in link["reason"]
    assert not any(url.endswith(path) for path in http_server.hits)
    assert report["summary"]["network_unavailable"] is False
    assert code == 0


def test_private_address_refused_on_a_redirect_hop(
    tmp_path: Path,
    http_server: _HTTPServer,
    second_server: _HTTPServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 127.0.0.1 stands for a public host here; 127.0.0.2 (where it redirects) stays private.
    monkeypatch.setattr(
        client, "address_refusal", lambda ip: None if ip == "127.0.0.1" else address_refusal(ip)
    )
    links = write_links(tmp_path, [url_of(http_server, "/to-second")])
    before = sum(second_server.hits.values())
    _code, report = check_json(tmp_path, [str(links)], capsys)
    link = report["links"][0]
    assert link["verdict"] == "blocked"
    assert "127.0.0.2 is a loopback address" in link["reason"]
    assert len(link["redirects"]) == 1
    assert sum(second_server.hits.values()) == before


def test_allow_private_in_config(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    links = write_links(tmp_path, [url_of(http_server, "/ok")])
    assert check(tmp_path, [str(links)], capsys, allow_private=True)[0] == 0


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        pytest.param("10.1.2.3", "private", id="rfc1918"),
        pytest.param("192.168.0.1", "private", id="rfc1918-192"),
        pytest.param("127.0.0.1", "loopback", id="loopback"),
        pytest.param("::1", "loopback", id="ipv6-loopback"),
        pytest.param("169.254.169.254", "metadata", id="aws-metadata"),
        pytest.param("169.254.1.1", "link-local", id="link-local"),
        pytest.param("fe80::1", "link-local", id="ipv6-link-local"),
        pytest.param("fd00:ec2::254", "metadata", id="aws-ipv6-metadata"),
        pytest.param("::ffff:10.0.0.1", "private", id="ipv4-mapped"),
        pytest.param("100.64.0.1", "shared", id="cgnat"),
        pytest.param("0.0.0.0", "private", id="unspecified"),
        pytest.param("93.184.215.14", None, id="public"),
    ],
)
def test_address_refusal(address: str, refused: str | None) -> None:
    reason = address_refusal(address)
    assert (reason is None) == (refused is None)
    if refused is not None:
        assert reason is not None and refused in reason


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        pytest.param("ftp://example.org/x", "scheme", id="ftp"),
        pytest.param("file:///etc/passwd", "scheme", id="file"),
        pytest.param("https://user:pw@example.org/", "password", id="credentials"),
        pytest.param("https://example.org/ok", None, id="https"),
    ],
)
def test_scheme_refusal(url: str, problem: str | None) -> None:
    reason = scheme_refusal(url)
    assert (reason is None) == (problem is None)
    if problem is not None:
        assert reason is not None and problem in reason


def test_excluded_and_non_http_urls_are_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    links = write_links(tmp_path, ["https://skip.example.org/a", "ftp://files.example.org/b"])
    code, report = check_json(tmp_path, [str(links)], capsys, exclude=["skip\\.example"])
    assert [link["verdict"] for link in report["links"]] == ["skipped", "skipped"]
    assert "excluded by the pattern" in report["links"][0]["reason"]
    assert code == 0


def test_offline_reports_cached_verdicts_only(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    live, missing = url_of(http_server, "/ok"), url_of(http_server, "/missing")
    links = write_links(tmp_path, [live, missing])
    check(tmp_path, [str(links), "--allow-private"], capsys)
    hits = sum(http_server.hits.values())
    code, report = check_json(tmp_path, [str(links), "--offline"], capsys)
    assert sum(http_server.hits.values()) == hits
    assert [link["verdict"] for link in report["links"]] == ["ok", "broken"]
    assert all(link["from_cache"] for link in report["links"])
    assert code == 1


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = check(tmp_path, [str(tmp_path / "nope.md")], capsys)
    assert code == 2
    assert "no such file" in err


def test_bad_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    links = write_links(tmp_path, [])
    code, _out, err = check(tmp_path, [str(links)], capsys, retries="many")
    assert code == 2
    assert "retries" in err


def test_deadline_hit_exits_3(
    tmp_path: Path, silent_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    links = write_links(tmp_path, [f"http://127.0.0.1:{silent_port}/hang"])
    code, report = check_json(
        tmp_path, [str(links), "--allow-private", "--deadline", "0.3"], capsys, timeout=5
    )
    assert code == 3
    assert report["summary"]["deadline_hit"] is True
    assert report["links"][0]["verdict"] == "unchecked"
