"""gunicorn.conf.py: production defaults, read from the environment."""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType, SimpleNamespace

import pytest
from gunicorn.config import Config

from tests import ROOT


def load_gunicorn_conf(monkeypatch, **env: str) -> ModuleType:
    for name in ("PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf_under_test", ROOT / "gunicorn.conf.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_gunicorn_config(module: ModuleType) -> Config:
    """The module's settings as gunicorn itself reads them (its validators run)."""
    config = Config()
    for name, value in vars(module).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_it_has_production_defaults(monkeypatch):
    monkeypatch.setattr(os, "process_cpu_count", lambda: 1, raising=False)
    module = load_gunicorn_conf(monkeypatch)
    config = as_gunicorn_config(module)
    assert config.bind == ["0.0.0.0:8000"]
    assert config.workers == 3  # 2 × 1 core + 1
    assert config.threads == 1
    assert config.timeout == 30
    assert config.graceful_timeout == 30
    assert config.forwarded_allow_ips == ["127.0.0.1"]
    assert config.max_requests > 0
    assert 0 < config.max_requests_jitter < config.max_requests
    assert config.accesslog is None  # the application's JSON request log replaces it
    assert config.worker_tmp_dir == ("/dev/shm" if os.path.isdir("/dev/shm") else None)  # noqa: S108


def test_it_caps_the_default_workers_at_four(monkeypatch):
    monkeypatch.setattr(os, "process_cpu_count", lambda: 16, raising=False)
    assert load_gunicorn_conf(monkeypatch).workers == 4


def test_it_reads_port_concurrency_and_trusted_proxies_from_the_environment(monkeypatch):
    module = load_gunicorn_conf(
        monkeypatch, PORT="9000", WEB_CONCURRENCY="7", FORWARDED_ALLOW_IPS="*"
    )
    config = as_gunicorn_config(module)
    assert config.bind == ["0.0.0.0:9000"]
    assert config.workers == 7
    assert config.forwarded_allow_ips == ["*"]


@pytest.mark.parametrize("value", ["two", "0", "-1"])
def test_it_refuses_a_bad_worker_count(monkeypatch, value):
    with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
        load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY=value)


def test_it_sets_only_settings_gunicorn_knows(monkeypatch):
    module = load_gunicorn_conf(monkeypatch)
    known = Config().settings
    for name, value in vars(module).items():
        if name.startswith("_") or name.isupper() or isinstance(value, ModuleType | type):
            continue
        assert name in known, f"gunicorn has no setting {name!r} (a typo?)"


def test_it_leaves_request_logging_to_the_application(monkeypatch):
    # gunicorn's access log would carry query strings and reset tokens; the app's does not.
    assert load_gunicorn_conf(monkeypatch).accesslog is None


def test_it_loads_without_prometheus_client(monkeypatch):
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import raises ImportError
    module = load_gunicorn_conf(monkeypatch)
    module.on_starting(SimpleNamespace())
    module.child_exit(SimpleNamespace(), SimpleNamespace(pid=123))


def test_it_gives_prometheus_an_empty_directory_on_start(monkeypatch, tmp_path):
    directory = tmp_path / "prometheus"
    module = load_gunicorn_conf(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(directory))
    module.on_starting(SimpleNamespace())
    assert directory.is_dir()
    (directory / "counter_1.db").write_bytes(b"stale")
    (directory / "leftover").mkdir()
    module.on_starting(SimpleNamespace())
    assert directory.is_dir()
    assert list(directory.iterdir()) == []


def test_it_drops_a_dead_workers_live_gauges(monkeypatch, tmp_path):
    module = load_gunicorn_conf(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    for name in ("gauge_livesum_4242.db", "gauge_liveall_4242.db", "counter_4242.db"):
        (tmp_path / name).write_bytes(b"")
    module.child_exit(SimpleNamespace(), SimpleNamespace(pid=4242))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["counter_4242.db"]


def test_it_marks_dead_workers_only_when_multiprocess_is_on(monkeypatch, tmp_path):
    calls = []
    fake = ModuleType("prometheus_client")
    fake.multiprocess = SimpleNamespace(mark_process_dead=calls.append)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "prometheus_client", fake)
    module = load_gunicorn_conf(monkeypatch)
    module.on_starting(SimpleNamespace())
    module.child_exit(SimpleNamespace(), SimpleNamespace(pid=1))
    assert calls == []
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    module.child_exit(SimpleNamespace(), SimpleNamespace(pid=77))
    assert calls == [77]
