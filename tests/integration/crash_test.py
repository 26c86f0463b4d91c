#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# crash_test.py: DESIGN 4 "every save is atomic and durable; a crash at any
# point leaves the last good state loadable", tested through the whole
# path.  vtpm_be_sim + vtpm_managerd --emulate-hw-tpm serve two vTPMs; in
# each trial one client per guest defines, deletes and writes NV areas
# through be_sim's endpoints and records every operation answered
# TPM_SUCCESS; at a random moment a vtpmd, the manager, or both are killed
# with SIGKILL; once everything is back (the manager relaunches vtpmds, or
# is restarted and relaunches them from open.list) every NV area of both
# guests is read back: each acknowledged operation must be there with its
# exact value, the one unacknowledged operation in flight must be wholly
# there or wholly absent, and the vTPM must still be the owned one (never a
# fresh TPM).  It only drives and observes the daemons; it changes no state
# outside its private temp dir, and stops every process it started.
#
# Usage: O=build [CRASH_TRIALS=100] [CRASH_SEED=N] crash_test.py
# TAP: one line per 10 trials, then a summary line.
import hashlib
import hmac
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

O = os.environ.get("O", "build")
TRIALS = int(os.environ.get("CRASH_TRIALS", "100"))
SEED = int(os.environ.get("CRASH_SEED", str(int(time.time()))))
# Bounds every wait for the daemons (seconds); ASan builds are slow.
WAIT_S = float(os.environ.get("IT_WAIT_SECS", "30"))
MGR = os.path.join(O, "vtpm_managerd")
CTL = os.path.join(O, "vtpmctl")
SIM = os.path.join(O, "vtpm_be_sim")
UUIDS = {1: "6f1f7a7e-0000-4a11-9a55-0000000c0a51",
         2: "6f1f7a7e-0000-4a11-9a55-0000000c0a52"}

# TPM 1.2 (Part 2) values used here.
TAG_RQU, TAG_RQU_AUTH1 = 0x00C1, 0x00C2
ORD_OIAP, ORD_OSAP, ORD_TAKE_OWNERSHIP = 0x0A, 0x0B, 0x0D
ORD_GET_CAPABILITY, ORD_READ_PUBEK = 0x65, 0x7C
ORD_NV_DEFINE, ORD_NV_WRITE, ORD_NV_READ = 0xCC, 0xCD, 0xCF
TPM_SUCCESS, TPM_BADINDEX, TPM_FAIL = 0, 0x02, 0x09
# A session handle the TPM does not know (Part 2, 16).
TPM_INVALID_AUTHHANDLE = 0x22
TPM_ET_OWNER, TPM_KH_OWNER = 0x0002, 0x40000001
NV_PER_OWNERWRITE = 0x00000002
OWNER_AUTH = hashlib.sha1(b"crash test owner").digest()
SRK_AUTH = bytes(20)
# The NV areas a guest may hold: NV_POOL indices of NV_SIZE bytes each
# (well inside TPM_MAX_NV_INDEXES and TPM_MAX_NV_SPACE).
NV_BASE, NV_POOL, NV_SIZE = 0x00011C00, 24, 32

passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print(f"ok - {name}", flush=True)


def not_ok(name, why):
    global failed
    failed += 1
    print(f"not ok - {name}: {why}", flush=True)


def note(msg):
    print(f"# {msg}", flush=True)


class TpmError(Exception):
    def __init__(self, what, rc):
        super().__init__(f"{what} rc {rc:#x}")
        self.rc = rc


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def command(tag, ordinal, body):
    return struct.pack(">HII", tag, 10 + len(body), ordinal) + body


# ---- one raw TPM 1.2 connection to a be_sim endpoint ----

class Endpoint:
    def __init__(self, port):
        self.port = port
        self.sock = None

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("endpoint closed")
            buf += chunk
        return buf

    def transact(self, cmd, timeout=None):
        """Return (rc, body); ConnectionError/OSError when the endpoint
        fails.  A client stays connected until its answer is in: be_sim
        serves one client at a time and keeps an endpoint busy until the
        answer to its request arrives."""
        if not self.sock:
            self.sock = socket.create_connection(("127.0.0.1", self.port),
                                                 timeout=5)
        self.sock.settimeout(timeout or WAIT_S * 4)
        try:
            self.sock.sendall(cmd)
            tag, size, rc = struct.unpack(">HII", self._recv(10))
            if size < 10 or size > 4096:
                raise ConnectionError(f"bad response size {size}")
            return rc, self._recv(size - 10)
        except (OSError, ConnectionError):
            self.close()
            raise


# ---- the TPM commands ----

def nv_public(index, size):
    # TPM_PCR_INFO_SHORT: no PCRs selected, any locality.  Part 3, 20.1
    # step 9.d wants some write restriction: TPM_NV_PER_OWNERWRITE, which
    # is not enforced while nvLocked is FALSE.
    pcr_info = u16(3) + bytes(3) + b"\x1f" + bytes(20)
    return (u16(0x0018) + u32(index) + pcr_info + pcr_info +
            u16(0x0017) + u32(NV_PER_OWNERWRITE) + b"\x00\x00\x00" +
            u32(size))


def auth_session(ep, osap):
    """OIAP, or OSAP for the owner: (handle, nonceEven, shared secret)."""
    if not osap:
        rc, body = ep.transact(command(TAG_RQU, ORD_OIAP, b""))
        if rc:
            raise TpmError("OIAP", rc)
        return struct.unpack(">I", body[:4])[0], body[4:24], None
    odd_osap = os.urandom(20)
    rc, body = ep.transact(command(TAG_RQU, ORD_OSAP, u16(TPM_ET_OWNER) +
                                   u32(TPM_KH_OWNER) + odd_osap))
    if rc:
        raise TpmError("OSAP", rc)
    handle, even, even_osap = struct.unpack(">I20s20s", body[:44])
    shared = hmac.new(OWNER_AUTH, even_osap + odd_osap, "sha1").digest()
    return handle, even, shared


def auth_trailer(key, ordinal, params, handle, even):
    odd = os.urandom(20)
    digest = hashlib.sha1(u32(ordinal) + params).digest()
    mac = hmac.new(key, digest + even + odd + b"\x00", "sha1").digest()
    return u32(handle) + odd + b"\x00" + mac


def mgf1(seed, n):
    out = b""
    for c in range((n + 19) // 20):
        out += hashlib.sha1(seed + u32(c)).digest()
    return out[:n]


def oaep_encrypt(n, msg):
    """RSAES-OAEP (PKCS#1 v2.1) with SHA-1, MGF1 and the TPM's label
    "TCPA", e = 65537: what TPM_TakeOwnership expects (Part 1, 31.1.1)."""
    k = (n.bit_length() + 7) // 8
    db = (hashlib.sha1(b"TCPA").digest() + bytes(k - len(msg) - 42) +
          b"\x01" + msg)
    seed = os.urandom(20)
    masked_db = bytes(x ^ y for x, y in zip(db, mgf1(seed, k - 21)))
    masked_seed = bytes(x ^ y for x, y in zip(seed, mgf1(masked_db, 20)))
    em = int.from_bytes(b"\x00" + masked_seed + masked_db, "big")
    return pow(em, 65537, n).to_bytes(k, "big")


def take_ownership(ep):
    rc, body = ep.transact(command(TAG_RQU, ORD_READ_PUBEK, os.urandom(20)))
    if rc:
        raise TpmError("ReadPubek", rc)
    parm_size = struct.unpack(">I", body[8:12])[0]
    off = 12 + parm_size
    n_len = struct.unpack(">I", body[off:off + 4])[0]
    n = int.from_bytes(body[off + 4:off + 4 + n_len], "big")
    enc_owner = oaep_encrypt(n, OWNER_AUTH)
    enc_srk = oaep_encrypt(n, SRK_AUTH)
    # The SRK: RSA-2048 storage key, OAEP, authorization always.
    srk = (b"\x01\x01\x00\x00" + u16(0x0011) + u32(0) + b"\x01" +
           u32(1) + u16(3) + u16(1) + u32(12) + u32(2048) + u32(2) +
           u32(0) + u32(0) + u32(0) + u32(0))
    params = (u16(5) + u32(len(enc_owner)) + enc_owner +
              u32(len(enc_srk)) + enc_srk + srk)
    handle, even, _ = auth_session(ep, False)
    rc, _ = ep.transact(command(TAG_RQU_AUTH1, ORD_TAKE_OWNERSHIP, params +
                                auth_trailer(OWNER_AUTH, ORD_TAKE_OWNERSHIP,
                                             params, handle, even)))
    if rc:
        raise TpmError("TakeOwnership", rc)


def owned(ep):
    rc, body = ep.transact(command(TAG_RQU, ORD_GET_CAPABILITY,
                                   u32(5) + u32(4) + u32(0x111)))
    if rc:
        raise TpmError("GetCapability", rc)
    return body[4] == 1


def nv_define(ep, index, size):
    """Owner-authorized (OSAP) NV_DefineSpace; size 0 deletes.  Owner
    authorization keeps the unowned-write budget (64) out of the way."""
    handle, even, shared = auth_session(ep, True)
    a1 = os.urandom(20)
    pad = hashlib.sha1(shared + even).digest()
    enc = bytes(x ^ y for x, y in zip(a1, pad))
    params = nv_public(index, size) + enc
    rc, _ = ep.transact(command(TAG_RQU_AUTH1, ORD_NV_DEFINE, params +
                                auth_trailer(shared, ORD_NV_DEFINE, params,
                                             handle, even)))
    return rc


def nv_write(ep, index, data):
    # nvLocked is FALSE: no authorization, and with an owner installed
    # no write budget either (Part 3, 20.2).
    rc, _ = ep.transact(command(TAG_RQU, ORD_NV_WRITE, u32(index) + u32(0) +
                                u32(len(data)) + data))
    return rc


def nv_read(ep, index):
    """The area's bytes, or None when the index is not defined."""
    rc, body = ep.transact(command(TAG_RQU, ORD_NV_READ, u32(index) +
                                   u32(0) + u32(NV_SIZE)))
    if rc == TPM_BADINDEX:
        return None
    if rc:
        raise TpmError(f"NV_ReadValue {index:#x}", rc)
    n = struct.unpack(">I", body[:4])[0]
    return body[4:4 + n]


# ---- the daemons ----

class Stack:
    def __init__(self, tmp):
        self.tmp = tmp
        self.root = os.path.join(tmp, "root")
        os.mkdir(self.root, 0o700)
        self.ports = {}
        self.sim = None
        self.mgr = None
        self.mgr_log = open(os.path.join(tmp, "manager.log"), "ab")
        self.sim_log = open(os.path.join(tmp, "be_sim.log"), "ab")

    def start_sim(self):
        for _ in range(20):
            ports = {i: random.randrange(20000, 32000) for i in (1, 2)}
            if ports[1] == ports[2]:
                continue
            args = [SIM, "--backend", f"unix:{self.root}/backend.sock", "-d"]
            for i, p in ports.items():
                args += ["--expose", f"{i}=tcp:127.0.0.1:{p}"]
            self.sim = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                        stdout=self.sim_log,
                                        stderr=self.sim_log)
            time.sleep(0.2)
            if self.sim.poll() is None:
                self.ports = ports
                return
            self.sim.wait()
        raise RuntimeError("vtpm_be_sim did not start (ports in use?)")

    def ctl(self, *args):
        return subprocess.run([CTL, "--root", self.root, *args],
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=WAIT_S)

    def start_manager(self):
        self.mgr = subprocess.Popen(
            [MGR, "--root", self.root, "--backend",
             f"unix:{self.root}/backend.sock", "--emulate-hw-tpm",
             "--config", "/dev/null", "-d"],
            stdin=subprocess.DEVNULL, stdout=self.mgr_log,
            stderr=self.mgr_log)
        deadline = time.time() + WAIT_S
        while time.time() < deadline:
            if self.mgr.poll() is not None:
                raise RuntimeError(f"the manager exited "
                                   f"({self.mgr.returncode})")
            if self.ctl("status").returncode == 0:
                return
            time.sleep(0.02)
        raise RuntimeError("the manager did not come up")

    def children(self):
        """{pid: argv} of the manager's children (tpmd, vtpmds)."""
        out = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    st = f.read()
                ppid = int(st[st.rindex(")") + 2:].split()[1])
                if ppid != self.mgr.pid:
                    continue
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    out[int(d)] = f.read().split(b"\0")
            except (OSError, ValueError):
                pass
        return out

    def vtpmd_pid(self, inst):
        for pid, argv in self.children().items():
            if os.path.basename(argv[0]) == b"vtpmd" and \
                    str(inst).encode() in argv[1:4]:
                return pid
        return None

    def kill_manager(self):
        kids = list(self.children())
        self.mgr.kill()
        self.mgr.wait()
        # Its children die of PR_SET_PDEATHSIG; the next manager must not
        # meet them on the FIFOs or the emulator's socket.
        deadline = time.time() + WAIT_S
        while time.time() < deadline:
            if not any(alive(p) for p in kids):
                return
            time.sleep(0.01)
        raise RuntimeError(f"children of the killed manager live on: {kids}")

    def stop(self):
        for p in (self.mgr, self.sim):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except OSError:
        return False


# ---- the guests' model ----

class Guest:
    """One guest's NV areas as acknowledged, and the operation whose
    answer was lost in the crash (at most one: the client is strictly
    request/response and stops at its first failure)."""

    def __init__(self, inst, port):
        self.inst = inst
        self.ep = Endpoint(port)
        self.nv = {}                # index -> bytes (acknowledged)
        self.uncertain = None       # (index, value-if-applied)
        self.acked = 0
        self.stop = threading.Event()
        self.error = None
        self.unexpected = None

    def one_op(self):
        free = [NV_BASE + k for k in range(NV_POOL)
                if NV_BASE + k not in self.nv]
        r = random.random()
        if free and (r < 0.1 or not self.nv):
            idx = random.choice(free)
            op = ("define", idx, b"\xff" * NV_SIZE)
        elif r < 0.15 and len(self.nv) > 1:
            op = ("delete", random.choice(list(self.nv)), None)
        else:
            op = ("write", random.choice(list(self.nv)),
                  os.urandom(NV_SIZE))
        kind, idx, val = op
        self.uncertain = (idx, val)
        if kind == "define":
            rc = nv_define(self.ep, idx, NV_SIZE)
        elif kind == "delete":
            rc = nv_define(self.ep, idx, 0)
        else:
            rc = nv_write(self.ep, idx, val)
        if rc:
            raise TpmError(f"{kind} {idx:#x}", rc)
        self.uncertain = None
        if val is None:
            del self.nv[idx]
        else:
            self.nv[idx] = val
        self.acked += 1

    def run(self):
        try:
            while not self.stop.is_set():
                self.one_op()
        except (OSError, ConnectionError) as e:
            self.error = str(e)
        except TpmError as e:
            # The crash: this operation's answer was lost (the manager or
            # be_sim answers TPM_FAIL for a vtpmd or a manager that died),
            # or, for an owner-authorized define/delete, the restarted
            # vtpmd no longer knows the OSAP session opened before the
            # kill (sessions are volatile): TPM_INVALID_AUTHHANDLE, and the
            # operation did not happen.  verify() checks that either way
            # the index is wholly old or wholly new.  Any other answer is a
            # failure of its own.
            self.error = str(e)
            if e.rc not in (TPM_FAIL, TPM_INVALID_AUTHHANDLE):
                self.unexpected = str(e)

    def verify(self):
        """Read back every index; returns (checked, problems) and makes
        the model what the TPM now holds."""
        problems = []
        actual = {}
        for k in range(NV_POOL):
            idx = NV_BASE + k
            v = nv_read(self.ep, idx)
            if v is not None:
                actual[idx] = v
            want = self.nv.get(idx)
            if v == want:
                continue
            if self.uncertain and self.uncertain[0] == idx and \
                    v == self.uncertain[1]:
                continue        # the unacknowledged operation, whole
            problems.append(f"instance {self.inst} index {idx:#x}: "
                            f"{describe(v)}, acknowledged {describe(want)}"
                            + (f" or in flight {describe(self.uncertain[1])}"
                               if self.uncertain and
                               self.uncertain[0] == idx else ""))
        if not owned(self.ep):
            problems.append(f"instance {self.inst} is unowned: a fresh TPM")
        self.nv = actual
        self.uncertain = None
        return NV_POOL, problems


def describe(v):
    return "absent" if v is None else v[:6].hex() + "..."


def wait_serving(guests):
    """Until each guest's vTPM answers through the whole path."""
    deadline = time.time() + WAIT_S
    for g in guests:
        while True:
            try:
                rc, _ = g.ep.transact(command(TAG_RQU, ORD_GET_CAPABILITY,
                                              u32(5) + u32(4) +
                                              u32(0x111)), timeout=WAIT_S)
                if rc == TPM_SUCCESS:
                    break
            except (OSError, ConnectionError):
                pass
            if time.time() > deadline:
                raise RuntimeError(f"instance {g.inst} does not answer")
            time.sleep(0.02)


def trial(stack, guests, n):
    """One crash; returns (victim, acked ops, checks, problems)."""
    victim = random.choices(["vtpmd", "manager", "both"], [2, 6, 2])[0]
    inst = random.choice([1, 2])
    before = sum(g.acked for g in guests)
    threads = []
    for g in guests:
        g.stop.clear()
        g.error = g.unexpected = None
        t = threading.Thread(target=g.run, daemon=True)
        t.start()
        threads.append(t)
    # The moment: anywhere in a few dozen operations.
    time.sleep(random.uniform(0.0, 0.12))
    pid = stack.vtpmd_pid(inst) if victim in ("vtpmd", "both") else None
    if pid:
        os.kill(pid, signal.SIGKILL)
    if victim in ("manager", "both"):
        stack.kill_manager()
    for g in guests:
        g.stop.set()
    for t in threads:
        t.join(WAIT_S * 4)
        if t.is_alive():
            raise RuntimeError("a client hangs")
    if victim in ("manager", "both"):
        stack.start_manager()
    wait_serving(guests)
    checks, problems = 0, []
    for g in guests:
        if g.unexpected:
            problems.append(f"instance {g.inst}: {g.unexpected}")
        c, p = g.verify()
        checks += c
        problems += p
    what = victim if victim == "manager" else f"{victim}(vtpmd {inst})"
    return what, sum(g.acked for g in guests) - before, checks, problems


def main():
    random.seed(SEED)
    for b in (MGR, CTL, SIM):
        if not os.access(b, os.X_OK):
            print(f"Bail out! {b} is missing (make O={O} all)")
            return 2
    note(f"{TRIALS} trials, seed {SEED} (CRASH_SEED={SEED} repeats them)")
    tmp = tempfile.mkdtemp(prefix="vtpm-crash.")
    os.chmod(tmp, 0o700)
    stack = Stack(tmp)
    rc = 1
    try:
        stack.start_sim()
        stack.start_manager()
        for i, uuid in UUIDS.items():
            r = stack.ctl("open", str(i), "--uuid", uuid)
            if r.returncode:
                raise RuntimeError(f"vtpmctl open {i}: {r.stderr!r}")
        guests = [Guest(i, stack.ports[i]) for i in (1, 2)]
        wait_serving(guests)
        for g in guests:
            take_ownership(g.ep)
        ok("two vTPMs opened and owned through be_sim -> manager -> vtpmd")
        total_acked = total_checks = total_lost = 0
        kinds = {}
        batch = []
        for n in range(1, TRIALS + 1):
            t0 = time.time()
            what, acked, checks, problems = trial(stack, guests, n)
            kind = what.split("(")[0]
            count, secs = kinds.get(kind, (0, 0.0))
            kinds[kind] = (count + 1, secs + time.time() - t0)
            total_acked += acked
            total_checks += checks
            total_lost += len(problems)
            batch.append((n, what, acked, problems))
            if n % 10 == 0 or n == TRIALS:
                first = batch[0][0]
                bad = [(t, w, p) for t, w, _, p in batch if p]
                acks = sum(a for _, _, a, _ in batch)
                name = (f"crash trials {first}-{n}: {acks} acknowledged "
                        f"operations, every one intact after the kill")
                if bad:
                    for t, w, p in bad:
                        for line in p:
                            note(f"trial {t} ({w}): {line}")
                    not_ok(name, f"{sum(len(p) for _, _, p in bad)} "
                           f"wrong or lost")
                else:
                    ok(name)
                batch = []
        note("kills: " + ", ".join(f"{k} {c} ({s / c:.2f} s per trial)"
                                   for k, (c, s) in sorted(kinds.items())))
        summary = (f"{TRIALS} crashes, {total_acked} acknowledged operations, "
                   f"{total_checks} NV areas read back, {total_lost} lost "
                   f"or wrong")
        with open(os.path.join(tmp, "manager.log"), "rb") as f:
            fresh = f.read().count(b"new vTPM: manufacturing")
        if fresh == 2:
            ok("no vtpmd ever made a fresh TPM after the first start")
        else:
            not_ok("no fresh TPM after the first start",
                   f"{fresh - 2} fresh TPMs made over saved state")
        if total_lost:
            not_ok("crash summary", summary)
        else:
            ok(f"crash summary: {summary}")
        rc = 0 if failed == 0 else 1
    except Exception as e:  # noqa: BLE001 - any failure must be reported
        not_ok("crash test ran to the end", f"{type(e).__name__}: {e}")
        rc = 1
    finally:
        stack.stop()
        if failed:
            for log in ("manager.log", "be_sim.log"):
                p = os.path.join(tmp, log)
                with open(p, "rb") as f:
                    lines = f.read().decode(errors="replace").splitlines()
                note(f"--- last lines of {log}")
                for line in lines[-25:]:
                    note("  " + line)
        if os.environ.get("IT_KEEP"):
            note(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"# crash_test: {passed} passed, {failed} failed")
    return rc


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
