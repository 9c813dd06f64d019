"""Group membership changes end to end (issue 6): wagate (account A) in a
group with simulated phones B, C and D. After C is removed, wagate's next
group message must decrypt at B and not at C, although wasim keeps handing
C's phone the group's ciphertext (`eavesdrop`: a removed member who still
captures what the group gets); D, added afterwards, must read the next one.
What a phone decrypted is in GET /admin/accounts/:phone/received."""
import pytest

from test_messaging import A, B, Linked, wait_for

C = "15550100003"
D = "15550100004"


@pytest.fixture
def group_setup(tmp_path):
    linked = Linked(tmp_path)
    try:
        for phone, name in ((C, "Carol"), (D, "Dave")):
            status, body = linked.sim.admin("POST", "/admin/accounts", {"phone": phone, "name": name})
            assert status in (200, 201), body
        status, group = linked.sim.admin("POST", "/admin/groups",
                                         {"subject": "Team", "participants": [A, B, C]})
        assert status in (200, 201), group
        yield linked, group["jid"]
    finally:
        linked.close()


def got(linked, phone, mid):
    """The phone's record of message `mid` (decrypted or not), or None."""
    for m in linked.phone_received(phone)["messages"]:
        if m["id"] == mid:
            return m
    return None


def notifications_acked(linked):
    """wagate acked every stanza wasim queued for it (w:gp2 notifications too)."""
    status, body = linked.sim.admin("GET", f"/admin/accounts/{A}/pending")
    assert status == 200, body
    return all(n == 0 for n in body["pending"].values())


def send_group(linked, gjid, text):
    r = linked.send_text(gjid, text)
    assert r.status == 201, r.body
    return r.json()["id"]


def test_removed_member_cannot_read_added_member_can(group_setup):
    linked, gjid = group_setup
    before = send_group(linked, gjid, "before")
    for phone in (B, C):
        m = wait_for(f"{phone} reads 'before'", lambda: got(linked, phone, before))
        assert m.get("text") == "before" and "error" not in m, m

    status, body = linked.sim.admin("POST", f"/admin/groups/{gjid}/participants",
                                    {"remove": [C], "eavesdrop": True})
    assert status == 200, body
    wait_for("wagate acks the w:gp2 remove", lambda: notifications_acked(linked))

    after = send_group(linked, gjid, "after removal")
    m = wait_for("B reads 'after removal'", lambda: got(linked, B, after))
    assert m.get("text") == "after removal" and "error" not in m, m
    # C's phone still held the old sender key: only a rotated key keeps it out.
    m = wait_for("C's copy of 'after removal'", lambda: got(linked, C, after))
    assert "error" in m and m.get("text") is None, m

    status, body = linked.sim.admin("POST", f"/admin/groups/{gjid}/participants", {"add": [D]})
    assert status == 200, body
    wait_for("wagate acks the w:gp2 add", lambda: notifications_acked(linked))
    third = send_group(linked, gjid, "welcome D")
    for phone in (B, D):
        m = wait_for(f"{phone} reads 'welcome D'", lambda: got(linked, phone, third))
        assert m.get("text") == "welcome D" and "error" not in m, m
    m = wait_for("C's copy of 'welcome D'", lambda: got(linked, C, third))
    assert "error" in m, m


def test_rotation_survives_a_restart(group_setup):
    """The removal is acked only once the old key is gone from the store: a
    wagate restarted right after still sends with a new key."""
    linked, gjid = group_setup
    before = send_group(linked, gjid, "before")
    wait_for("C reads 'before'", lambda: got(linked, C, before))
    linked.w.stop()
    # Removed while wagate is down: the notification waits in wasim's queue.
    status, body = linked.sim.admin("POST", f"/admin/groups/{gjid}/participants",
                                    {"remove": [C], "eavesdrop": True})
    assert status == 200, body
    linked.start()
    linked.wait_open()
    wait_for("wagate acks the offline w:gp2 remove", lambda: notifications_acked(linked))
    linked.w.stop()
    linked.start()
    linked.wait_open()
    after = send_group(linked, gjid, "after restart")
    m = wait_for("B reads 'after restart'", lambda: got(linked, B, after))
    assert m.get("text") == "after restart", m
    m = wait_for("C's copy of 'after restart'", lambda: got(linked, C, after))
    assert "error" in m, m
