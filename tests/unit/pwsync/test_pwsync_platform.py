"""What enable_integration says about passwords, per case."""
from ansible_collections.hybrid.identity.plugins.module_utils import _pwsync_platform as platform


def test_entra_connect_wins_over_everything():
    mode, msg = platform.password_sync_mode("samba", True, agent_installed=True)
    assert mode == platform.DIRSYNC_ENGINE and "must not" in msg


def test_samba_with_and_without_agent():
    assert platform.password_sync_mode("samba", None, True)[0] == platform.SAMBA_AGENT
    assert platform.password_sync_mode("Samba", False)[0] == platform.SAMBA_NOT_INSTALLED


def test_windows_is_told_plainly():
    mode, msg = platform.password_sync_mode("windows", None)
    assert mode == platform.WINDOWS_SET_BOTH and "same password on both sides" in msg
