#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# fake_backend.py: plays a hostile kernel backend (tpmbk) for
# vtpm_managerd.  It serves the unix SOCK_SEQPACKET socket the manager
# connects to with --backend unix:PATH, opens instances 1 and 2 with
# vtpmctl, and sends the frames a real tpmbk never would: every malformed
# shape, manager tags, instance 0, unknown instances and a flood, checking
# each answer against docs/protocol.md (TAP on stdout); it checks that the
# prefix's locality reaches the vTPM, and that garbage on a shared FIFO
# makes the manager restart its vtpmds, not exit.  Instance 2 is the
# bystander: its GetRandom must be answered correctly throughout.  It
# starts no daemon and kills none (it only stops a vtpmd for a moment);
# manager_test.sh owns the processes.
#
#   fake_backend.py --socket PATH --vtpmctl PATH --root DIR

import argparse
import os
import select
import signal
import socket
import stat
import struct
import subprocess
import sys
import time

# Values of the contract (common/vtpm_ipc.h, docs/protocol.md).
PREFIX = 4                  # u32 instance before every TPM packet
HEADER = 10                 # tag u16, paramSize u32, ordinal/rc u32
MAX_FRAME = 4096            # PIPE_BUF: prefix + the largest guest packet
TAG_RQU = 0x00C1            # TPM_TAG_RQU_COMMAND
TAG_RSP = 0x00C4            # TPM_TAG_RSP_COMMAND
VTPM_TAG_REQ = 0x01C1       # a manager tag: never valid from a guest
ORD_GETRANDOM = 0x46        # TPM_ORD_GetRandom
TPM_FAIL = 0x09
TPM_BADTAG = 0x1E
TPM_NOTLOCAL = 0x33
TPM_BAD_LOCALITY = 0x3D
TPM_RETRY = 0x800
ORD_EXTEND = 0x14           # TPM_ORD_Extend
ORD_PCRREAD = 0x15          # TPM_ORD_PcrRead
ORD_PCR_RESET = 0xC8        # TPM_ORD_PCR_Reset
ORD_GETCAP = 0x65           # TPM_ORD_GetCapability
ORD_SET_OWNER_INSTALL = 0x71
ORD_PHYSICAL_PRESENCE = 0x4000000A  # TSC_PhysicalPresence
PCR_LOC4 = 17               # PC Client: reset and first extend at locality 4
GUEST = 1                   # the instance the hostile frames aim at
BYSTANDER = 2               # must never notice any of it
UNKNOWN = 77                # never opened
FLOOD = 1000
FLOOD_BYSTANDER_EVERY = 50  # one bystander GetRandom per 50 flood frames
FLOOD_BURST = 64            # frames sent back to back, then answers read
ANSWER_SECS = 10            # one answer (a vtpmd may be starting)
FLOOD_SECS = 60             # all flood answers
SILENCE_SECS = 0.3          # "no answer" for frames that must be dropped

n_pass = 0
n_fail = 0


def ok(name):
    global n_pass
    n_pass += 1
    print("ok - " + name, flush=True)


def not_ok(name, why):
    global n_fail
    n_fail += 1
    print("not ok - %s: %s" % (name, why), flush=True)


def check(name, cond, why):
    if cond:
        ok(name)
    else:
        not_ok(name, why)


def frame(instance, tag, code, body=b"", size=None, locality=0):
    """[instance][tag][size][code][body]; size defaults to the true one.
    The prefix word carries the locality in its top byte (vtpm_shared.h)."""
    if size is None:
        size = HEADER + len(body)
    return struct.pack(">IHII", instance | locality << 24, tag, size,
                       code) + body


def getrandom(instance, n=16):
    return frame(instance, TAG_RQU, ORD_GETRANDOM, struct.pack(">I", n))


def parse(f):
    """(instance, tag, size, code, body) or None when not a frame."""
    if len(f) < PREFIX + HEADER:
        return None
    inst, tag, size, code = struct.unpack(">IHII", f[:PREFIX + HEADER])
    if size != len(f) - PREFIX:
        return None
    return inst, tag, size, code, f[PREFIX + HEADER:]


def is_random(f, instance, n=16):
    """A correct GetRandom answer of n bytes for instance."""
    p = parse(f)
    if not p:
        return False
    inst, tag, _, code, body = p
    return (inst == instance and tag == TAG_RSP and code == 0 and
            len(body) == 4 + n and struct.unpack(">I", body[:4])[0] == n)


def is_error(f, instance, rc, tag=TAG_RSP):
    """A 10-byte TPM error answer for instance."""
    p = parse(f)
    return bool(p) and p[:4] == (instance, tag, HEADER, rc) and not p[4]


def show(f):
    if f is None:
        return "no answer"
    return "answer %s" % f[:24].hex()


class Backend:
    def __init__(self, path):
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        self.lsock.bind(path)
        self.lsock.listen(1)
        self.sock = None
        self.pending = []       # answers read while waiting for another

    def accept(self, secs):
        self.lsock.settimeout(secs)
        self.sock, _ = self.lsock.accept()
        self.sock.setblocking(False)
        cred = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                    struct.calcsize("3i"))
        return struct.unpack("3i", cred)[0]

    def send(self, data):
        # Answers are read while waiting for room, as tpmbk would.
        deadline = time.monotonic() + ANSWER_SECS
        while True:
            try:
                return self.sock.send(data)
            except BlockingIOError:
                self._read_some(0.05)
                if time.monotonic() > deadline:
                    raise

    def _read_some(self, secs):
        r, _, _ = select.select([self.sock], [], [], secs)
        if not r:
            return False
        while True:
            try:
                # Larger than any frame, to see oversized answers whole.
                d = self.sock.recv(2 * MAX_FRAME)
            except BlockingIOError:
                return True
            if not d:
                raise ConnectionError("the manager closed the backend")
            self.pending.append(d)

    def recv(self, secs):
        deadline = time.monotonic() + secs
        while not self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._read_some(left)
        return self.pending.pop(0)

    def call(self, data, secs=ANSWER_SECS):
        """Send one frame; its answer (the next frame) or None."""
        if self.pending:
            raise RuntimeError("stray answers: %r" % self.pending)
        self.send(data)
        return self.recv(secs)


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def vtpmds(pid):
    """Pids of the vtpmds among pid's children (the manager also runs its
    emulated hardware TPM)."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return []
    return sorted(k for k in kids if comm(k) == "vtpmd")


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def bystander_ok(be, name):
    f = be.call(getrandom(BYSTANDER))
    check(name + ": instance %d still answers GetRandom" % BYSTANDER,
          is_random(f, BYSTANDER), show(f))


def expect_error(be, name, data, instance, rc):
    f = be.call(data)
    check(name, is_error(f, instance, rc),
          "want %d-byte error rc 0x%x for instance %d, got %s" %
          (HEADER, rc, instance, show(f)))


def malformed(be):
    g = getrandom(GUEST)
    # An empty datagram is not end of file (the backend is still there):
    # dropped without an answer, and the manager goes on.
    be.send(b"")
    f = be.recv(SILENCE_SECS)
    check("empty datagram is dropped without an answer", f is None,
          show(f))
    # Too short to read instance and tag: dropped without an answer; the
    # next well-formed request must get its own answer, not a stale one.
    for n in (1, 4, 5):
        be.send(g[:n])
        f = be.recv(SILENCE_SECS)
        check("%d-byte frame is dropped without an answer" % n,
              f is None, show(f))
    # Instance and tag readable: TPM_FAIL, as protocol.md says.
    for n in (6, 8, 13):
        expect_error(be, "%d-byte frame (< 14): TPM_FAIL" % n, g[:n],
                     GUEST, TPM_FAIL)
    expect_error(be, "paramSize smaller than the datagram: TPM_FAIL",
                 frame(GUEST, TAG_RQU, ORD_GETRANDOM,
                       struct.pack(">I", 16) + b"\0" * 4, size=14),
                 GUEST, TPM_FAIL)
    expect_error(be, "paramSize larger than the datagram: TPM_FAIL",
                 frame(GUEST, TAG_RQU, ORD_GETRANDOM,
                       struct.pack(">I", 16), size=30), GUEST, TPM_FAIL)
    expect_error(be, "paramSize 0xffffffff: TPM_FAIL",
                 frame(GUEST, TAG_RQU, ORD_GETRANDOM,
                       struct.pack(">I", 16), size=0xFFFFFFFF),
                 GUEST, TPM_FAIL)
    # paramSize below a header: with a whole header after it, and with
    # a datagram as short as the size field claims.
    expect_error(be, "paramSize 0 (< 10): TPM_FAIL",
                 frame(GUEST, TAG_RQU, ORD_GETRANDOM, size=0),
                 GUEST, TPM_FAIL)
    expect_error(be, "paramSize 9 (< 10), 9-byte packet: TPM_FAIL",
                 frame(GUEST, TAG_RQU, ORD_GETRANDOM, size=9)[:PREFIX + 9],
                 GUEST, TPM_FAIL)
    big = frame(GUEST, TAG_RQU, ORD_GETRANDOM,
                struct.pack(">I", 16) + b"\0" * (MAX_FRAME - 14 + 1 - 4))
    expect_error(be, "%d-byte datagram (> %d, size field true): TPM_FAIL" %
                 (len(big), MAX_FRAME), big, GUEST, TPM_FAIL)
    huge = frame(GUEST, TAG_RQU, ORD_GETRANDOM, b"\0" * 6000)
    expect_error(be, "%d-byte datagram: TPM_FAIL" % len(huge), huge,
                 GUEST, TPM_FAIL)
    biggest = frame(GUEST, TAG_RQU, ORD_GETRANDOM,
                    struct.pack(">I", 16) + b"\0" * (MAX_FRAME - 18))
    f = be.call(biggest)
    p = parse(f) if f else None
    # A frame of exactly 4096 bytes is within the limit: the vtpmd answers
    # it (the engine refuses the trailing bytes with its own error).
    check("%d-byte frame (the limit) reaches the vTPM" % len(biggest),
          p is not None and p[0] == GUEST and p[1] == TAG_RSP and
          p[3] not in (0, TPM_FAIL), show(f))
    bystander_ok(be, "after the malformed frames")


def wrong_targets(be):
    expect_error(be, "tag 0x01C1 (a manager tag) from a guest: TPM_BADTAG",
                 frame(GUEST, VTPM_TAG_REQ, 0x01000001,
                       bytes([0, 1, 1]) + struct.pack(">I", GUEST)),
                 GUEST, TPM_BADTAG)
    expect_error(be, "tag 0x01C1 with a NVM ordinal: TPM_BADTAG",
                 frame(BYSTANDER, VTPM_TAG_REQ, 0x00000002),
                 BYSTANDER, TPM_BADTAG)
    expect_error(be, "instance 0 (reserved): TPM_FAIL", getrandom(0), 0,
                 TPM_FAIL)
    expect_error(be, "unknown instance %d: TPM_FAIL" % UNKNOWN,
                 getrandom(UNKNOWN), UNKNOWN, TPM_FAIL)
    expect_error(be, "instance 0xffffff (the largest): TPM_FAIL",
                 getrandom(0xFFFFFF), 0xFFFFFF, TPM_FAIL)
    # The top byte is the locality: 0xffffffff is instance 0xffffff at
    # locality 255, refused before any lookup, answered for the bare
    # instance.
    expect_error(be, "prefix 0xffffffff (locality 255): TPM_BAD_LOCALITY",
                 struct.pack(">I", 0xFFFFFFFF) + getrandom(0)[PREFIX:],
                 0xFFFFFF, TPM_BAD_LOCALITY)
    bystander_ok(be, "after the misdirected frames")


def pcr_reset(instance, pcr, locality):
    sel = bytearray(3)
    sel[pcr // 8] |= 1 << (pcr % 8)
    return frame(instance, TAG_RQU, ORD_PCR_RESET,
                 struct.pack(">H", 3) + bytes(sel), locality=locality)


def extend(instance, pcr, locality):
    return frame(instance, TAG_RQU, ORD_EXTEND,
                 struct.pack(">I", pcr) + bytes(range(20)),
                 locality=locality)


def pcr_read(instance, pcr):
    return frame(instance, TAG_RQU, ORD_PCRREAD, struct.pack(">I", pcr))


def call_rc(be, data, instance):
    """The return code of the answer, None when it is not a well-formed
    answer for the bare instance (locality 0 in every answer)."""
    f = be.call(data)
    p = parse(f) if f else None
    if not p or p[0] != instance or p[1] != TAG_RSP:
        return None, f
    return p[3], f


def locality(be):
    """The prefix's locality reaches the vTPM: PCR 17 (PC Client) can be
    reset only at locality 4, and after a reset extended first only from
    locality 4; the locality holds for one request only."""
    rc, f = call_rc(be, pcr_reset(GUEST, PCR_LOC4, 0), GUEST)
    check("locality 0: PCR_Reset(17) is TPM_NOTLOCAL", rc == TPM_NOTLOCAL,
          show(f))
    rc, f = call_rc(be, pcr_reset(GUEST, PCR_LOC4, 4), GUEST)
    check("locality 4: PCR_Reset(17) succeeds, answer for the bare "
          "instance", rc == 0, show(f))
    rc, f = call_rc(be, pcr_read(GUEST, PCR_LOC4), GUEST)
    check("PCR 17 reads zero after the reset",
          rc == 0 and parse(f)[4] == bytes(20), show(f))
    rc, f = call_rc(be, extend(GUEST, PCR_LOC4, 3), GUEST)
    check("locality 3: first Extend(17) after a reset is "
          "TPM_BAD_LOCALITY", rc == TPM_BAD_LOCALITY, show(f))
    rc, f = call_rc(be, extend(GUEST, PCR_LOC4, 4), GUEST)
    check("locality 4: Extend(17) succeeds", rc == 0, show(f))
    rc, f = call_rc(be, pcr_reset(GUEST, PCR_LOC4, 0), GUEST)
    check("the next request is at its own locality (0): TPM_NOTLOCAL",
          rc == TPM_NOTLOCAL, show(f))
    for loc in (5, 0x80):
        expect_error(be, "locality %d: refused by the manager with "
                     "TPM_BAD_LOCALITY" % loc, extend(GUEST, PCR_LOC4, loc),
                     GUEST, TPM_BAD_LOCALITY)
    bystander_ok(be, "after the locality requests")


def flood(be):
    """FLOOD GetRandoms to GUEST without waiting, a bystander GetRandom
    every FLOOD_BYSTANDER_EVERY; every frame gets exactly one answer."""
    want_b = 0
    sent = 0
    done = 0
    good = retry = bad = 0
    bgood = bbad = 0
    first_bad = None
    deadline = time.monotonic() + FLOOD_SECS
    reqs = []
    for i in range(FLOOD):
        reqs.append(getrandom(GUEST, 8))
        if i % FLOOD_BYSTANDER_EVERY == 0:
            reqs.append(getrandom(BYSTANDER))
            want_b += 1
    while (done < FLOOD or bgood + bbad < want_b) and \
            time.monotonic() < deadline:
        # Bursts of FLOOD_BURST frames back to back, faster than any
        # vtpmd answers, so the instance's queue overflows.
        burst = sent + FLOOD_BURST
        while sent < min(burst, len(reqs)):
            try:
                be.sock.send(reqs[sent])
                sent += 1
            except BlockingIOError:
                break
        # Then the answers, as tpmbk consumes them: the manager never
        # finds its backend socket full.
        be._read_some(0.01 if sent < len(reqs) else 0.1)
        while be.pending:
            f = be.pending.pop(0)
            p = parse(f)
            if p and p[0] == BYSTANDER:
                if is_random(f, BYSTANDER):
                    bgood += 1
                else:
                    bbad += 1
                    first_bad = first_bad or f
                continue
            done += 1
            if is_random(f, GUEST, 8):
                good += 1
            elif is_error(f, GUEST, TPM_RETRY):
                retry += 1
            else:
                bad += 1
                first_bad = first_bad or f
    check("flood: %d requests to instance %d, each answered once" %
          (FLOOD, GUEST), done == FLOOD and bad == 0,
          "%d answered (%d bad, first %s) in %d s" %
          (done, bad, show(first_bad), FLOOD_SECS))
    check("flood: the queue overflowed into TPM_RETRY, the rest were "
          "served (%d served, %d retry)" % (good, retry),
          retry > 0 and good > 0 and good + retry == FLOOD,
          "%d served, %d retry" % (good, retry))
    check("flood: instance %d answered GetRandom correctly throughout "
          "(%d of %d)" % (BYSTANDER, bgood, want_b),
          bgood == want_b and bbad == 0, "%d bad, first %s" %
          (bbad, show(first_bad)))
    # Nothing more may arrive: one answer per request.
    f = be.recv(SILENCE_SECS)
    check("flood: no extra answers", f is None, show(f))


def owner_install(be, instance):
    """TPM_PERMANENT_FLAGS.ownership (persistent) of instance, or None."""
    rc, f = call_rc(be, frame(instance, TAG_RQU, ORD_GETCAP,
                              struct.pack(">III", 4, 4, 0x108)), instance)
    if rc != 0:
        return None
    # respSize u32, then TPM_PERMANENT_FLAGS: tag u16, disable, ownership
    return parse(f)[4][7]


def wait_new_vtpmds(mgr, old, secs):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        now = vtpmds(mgr)
        if len(now) == 2 and not set(now) & set(old):
            return now
        time.sleep(0.05)
    return vtpmds(mgr)


def wait_random(be, instance, secs):
    """GetRandom until it is answered correctly (a vtpmd restarting)."""
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        f = be.call(getrandom(instance), secs)
        if is_random(f, instance):
            return True
        time.sleep(0.1)
    return False


def fifo_garbage(be, root, mgr):
    """Bytes that are not whole frames on a shared FIFO (only a vtpmd could
    write them): the manager replaces both FIFOs and restarts every vtpmd
    from its last acknowledged state, answering the request in flight
    TPM_FAIL; nothing acknowledged is lost."""
    pp = lambda bits: frame(GUEST, TAG_RQU, ORD_PHYSICAL_PRESENCE,
                            struct.pack(">H", bits))
    ok_all = True
    for cmd in (pp(0x20), pp(0x08),
                frame(GUEST, TAG_RQU, ORD_SET_OWNER_INSTALL, b"\0")):
        rc, f = call_rc(be, cmd, GUEST)
        ok_all = ok_all and rc == 0
    check("instance %d: TPM_SetOwnerInstall(FALSE) acknowledged" % GUEST,
          ok_all and owner_install(be, GUEST) == 0, "marker not set")
    cases = (("tpm_rsp_from_all", b"garbage"),
             ("vtpm_cmd_from_all",
              struct.pack(">IHII", GUEST, VTPM_TAG_REQ, 5, 1)))
    for name, junk in cases:
        before = vtpmds(mgr)
        # A request in flight: its vtpmd is stopped, so it cannot answer
        # before the garbage arrives (SIGKILL ends it all the same).
        victim = [v for v in before if vtpm_of(v) == GUEST]
        for v in victim:
            os.kill(v, signal.SIGSTOP)
        be.send(getrandom(GUEST))
        time.sleep(0.2)
        fd = os.open(os.path.join(root, "fifos", name + ".fifo"),
                     os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, junk)
        os.close(fd)
        f = be.recv(ANSWER_SECS)
        check("%s garbage: the manager survived" % name, alive(mgr),
              "pid %d is gone" % mgr)
        check("%s garbage: the request in flight got TPM_FAIL" % name,
              len(victim) == 1 and is_error(f, GUEST, TPM_FAIL), show(f))
        after = wait_new_vtpmds(mgr, before, 2 * ANSWER_SECS)
        check("%s garbage: both vtpmds restarted" % name,
              len(after) == 2 and not set(after) & set(before),
              "before %s, after %s" % (before, after))
        for i in (GUEST, BYSTANDER):
            check("%s garbage: instance %d answers GetRandom again" %
                  (name, i), wait_random(be, i, ANSWER_SECS), "no answer")
        check("%s garbage: instance %d kept its acknowledged state" %
              (name, GUEST), owner_install(be, GUEST) == 0,
              "ownership flag lost")
        check("%s garbage: instance %d's state is its own" %
              (name, BYSTANDER), owner_install(be, BYSTANDER) == 1,
              "bystander's flag changed")
        # New FIFOs replaced the old: the path has no stale entry.
        st = os.stat(os.path.join(root, "fifos", name + ".fifo"))
        check("%s garbage: a new FIFO is in place" % name,
              stat.S_ISFIFO(st.st_mode), "not a FIFO")


def stuck_vtpmd(be, mgr, timeout):
    """A vtpmd that stops answering (SIGSTOP): its request in flight gets
    TPM_FAIL once the manager's command timeout passes, not before, the
    vtpmd is killed and restarted, and a request queued behind it is
    served by the new one; the bystander is served all along."""
    before = vtpmds(mgr)
    victim = [v for v in before if vtpm_of(v) == GUEST]
    if len(victim) != 1:
        not_ok("stuck vtpmd", "no vtpmd for instance %d in %s" %
               (GUEST, before))
        return
    os.kill(victim[0], signal.SIGSTOP)
    t0 = time.monotonic()
    be.send(getrandom(GUEST))
    be.send(getrandom(GUEST))
    f = be.call(getrandom(BYSTANDER))
    check("stuck vtpmd: instance %d is served meanwhile" % BYSTANDER,
          is_random(f, BYSTANDER), show(f))
    f = be.recv(timeout + ANSWER_SECS)
    dt = time.monotonic() - t0
    check("stuck vtpmd: the request in flight gets TPM_FAIL after the "
          "%d s timeout (%.1f s)" % (timeout, dt),
          is_error(f, GUEST, TPM_FAIL) and timeout - 0.5 <= dt,
          "%s after %.1f s" % (show(f), dt))
    f = be.recv(2 * ANSWER_SECS)
    check("stuck vtpmd: the request queued behind it is served by the "
          "restarted vtpmd", is_random(f, GUEST), show(f))
    after = vtpmds(mgr)
    check("stuck vtpmd: it was replaced", victim[0] not in after and
          len(after) == 2, "before %s, after %s" % (before, after))


def vtpm_of(pid):
    """The instance a vtpmd serves, from its command line."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
        return int(args[args.index(b"--root") - 1])
    except (OSError, ValueError, IndexError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--vtpmctl", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--cmd-timeout", type=int, default=0,
                    help="the manager's --timeout; 0 skips that test")
    a = ap.parse_args()

    be = Backend(a.socket)
    print("# listening on %s" % a.socket, flush=True)
    try:
        mgr = be.accept(20)
    except socket.timeout:
        print("Bail out! the manager did not connect", flush=True)
        return 2
    print("# the manager (pid %d) connected" % mgr, flush=True)
    for i in (GUEST, BYSTANDER):
        r = subprocess.run([a.vtpmctl, "--root", a.root, "open", str(i)],
                           capture_output=True, text=True, timeout=20)
        check("vtpmctl open %d" % i, r.returncode == 0,
              (r.stdout + r.stderr).strip())
    for i in (GUEST, BYSTANDER):
        # Queued while the vtpmd starts, answered once it is up.
        f = be.call(getrandom(i), 30)
        check("instance %d answers GetRandom" % i, is_random(f, i), show(f))
    before = vtpmds(mgr)
    print("# vtpmds: %s" % before, flush=True)

    try:
        malformed(be)
        wrong_targets(be)
        locality(be)
        flood(be)
    except (ConnectionError, OSError, RuntimeError) as e:
        not_ok("hostile frames", "%s: %s" % (type(e).__name__, e))

    # After all of it: the manager, both vtpmds and normal commands.
    check("the manager survived", alive(mgr), "pid %d is gone" % mgr)
    check("both vtpmds survived (same pids, none restarted)",
          len(before) == 2 and vtpmds(mgr) == before,
          "before %s, after %s" % (before, vtpmds(mgr)))
    try:
        fifo_garbage(be, a.root, mgr)
        if a.cmd_timeout:
            stuck_vtpmd(be, mgr, a.cmd_timeout)
    except (ConnectionError, OSError, RuntimeError) as e:
        not_ok("shared FIFO garbage", "%s: %s" % (type(e).__name__, e))
    for i in (GUEST, BYSTANDER):
        try:
            f = be.call(getrandom(i))
        except (ConnectionError, OSError, RuntimeError) as e:
            f = None
            print("# %s" % e)
        check("afterwards instance %d answers GetRandom" % i,
              is_random(f, i), show(f))
    r = subprocess.run([a.vtpmctl, "--root", a.root, "list"],
                       capture_output=True, text=True, timeout=20)
    running = [ln.split()[0] for ln in r.stdout.splitlines()[1:]
               if "running" in ln.split()]
    check("vtpmctl list: instances 1 and 2 running", r.returncode == 0 and
          running == [str(GUEST), str(BYSTANDER)],
          (r.stdout + r.stderr).strip().replace("\n", " | "))
    print("# fake_backend: %d passed, %d failed" % (n_pass, n_fail),
          flush=True)
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
