import pytest

from tongket.config import SettingsError, load_settings


def test_defaults_are_sqlite_vietnamese_hanoi_time(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    s = load_settings()
    assert s.language == "vi" and s.time_zone == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"TONGKET_DEBUG": "false"}, "TONGKET_SECRET_KEY"),
        ({"TONGKET_TIME_ZONE": "Mars/Olympus"}, "TONGKET_TIME_ZONE"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"TONGKET_MAX_UPLOAD_MB": "lots"}, "TONGKET_MAX_UPLOAD_MB"),
    ],
)
def test_bad_settings_fail_fast_naming_the_setting(monkeypatch, capsys, env, name):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError):
        load_settings()
    assert name in capsys.readouterr().err
