#!/usr/bin/env python3
# vtpmd against a fake manager: this script creates the FIFOs under a
# private root, plays the manager's side of docs/protocol.md (LOADNVM,
# chunked SAVENVM, guest requests) and checks what vtpmd does.  TAP output.
# Usage: O=build tests/integration/vtpmd_test.py
import os, struct, subprocess, sys, tempfile, time, select, shutil, hashlib

O = os.environ.get("O", "build")
VTPMD = os.path.join(O, "vtpmd")
N = 7
passed = failed = 0

def ok(name):
    global passed; passed += 1; print(f"ok - {name}", flush=True)

def not_ok(name, why):
    global failed; failed += 1; print(f"not ok - {name}: {why}", flush=True)

def check(cond, name, why=""):
    ok(name) if cond else not_ok(name, why)

class FakeManager:
    def __init__(self, root, inst):
        self.root, self.inst = root, inst
        d = os.path.join(root, "fifos")
        os.makedirs(d, exist_ok=True)
        names = [f"tpm_cmd_to_{inst}", "tpm_rsp_from_all", "vtpm_cmd_from_all", f"vtpm_rsp_to_{inst}"]
        self.fd = {}
        for n in names:
            p = os.path.join(d, n + ".fifo")
            if not os.path.exists(p):
                os.mkfifo(p, 0o600)
            self.fd[n] = os.open(p, os.O_RDWR)   # as the manager does: never blocks
        self.stored = None        # the last acknowledged blob
        self.saves = 0
        self.refuse_load = False
        self.refuse_save = False
        self.proc = None

    def start(self, mode="clear", extra=()):
        self.proc = subprocess.Popen([VTPMD, mode, "pvm", str(self.inst), "--root", self.root, "-d", *extra],
                                     stderr=subprocess.PIPE, text=True)

    def read_frame(self, fd, timeout=30):
        buf = b""
        deadline = time.time() + timeout
        while len(buf) < 14 or len(buf) < 4 + struct.unpack(">I", buf[6:10])[0]:
            r, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
            if not r:
                raise TimeoutError("no frame")
            need = 14 - len(buf) if len(buf) < 14 else 4 + struct.unpack(">I", buf[6:10])[0] - len(buf)
            buf += os.read(fd, need)
        return buf

    def pump_nvm(self, until_rsp=False, timeout=30):
        """Serve SAVENVM/LOADNVM until a guest response arrives (if until_rsp)."""
        partial = b""; total = None
        while True:
            fds = [self.fd["vtpm_cmd_from_all"]] + ([self.fd["tpm_rsp_from_all"]] if until_rsp else [])
            r, _, _ = select.select(fds, [], [], timeout)
            if not r:
                raise TimeoutError("vtpmd silent")
            if self.fd["tpm_rsp_from_all"] in r and until_rsp:
                return self.read_frame(self.fd["tpm_rsp_from_all"])
            f = self.read_frame(self.fd["vtpm_cmd_from_all"])
            inst, tag, size, ordinal = struct.unpack(">IHII", f[:14])
            assert inst == self.inst and tag == 0x01C1, (inst, hex(tag))
            if ordinal == 2:      # LOADNVM
                if self.refuse_load:
                    self.answer(4, b"")
                else:
                    self.answer(0, self.stored or b"")
                if not until_rsp:
                    return None
            elif ordinal == 1:    # SAVENVM chunk
                tot, off = struct.unpack(">II", f[14:22])
                assert off == len(partial) and (total is None or total == tot)
                total = tot; partial += f[22:]
                if len(f) > 4 + 4096 - 4:
                    raise AssertionError("chunk frame larger than PIPE_BUF")
                if len(partial) == total:
                    if self.refuse_save:
                        self.answer(1, b"")
                    else:
                        self.stored = partial; self.saves += 1
                        self.answer(0, b"")
                    partial = b""; total = None
                    if not until_rsp:
                        return None

    def answer(self, status, body):
        f = struct.pack(">IHII", self.inst, 0x01C4, 10 + len(body), status) + body
        os.write(self.fd[f"vtpm_rsp_to_{self.inst}"], f)

    def transact(self, cmd, loc=0):
        # The prefix word: instance, the request's locality in the top byte.
        os.write(self.fd[f"tpm_cmd_to_{self.inst}"], struct.pack(">I", self.inst | loc << 24) + cmd)
        f = self.pump_nvm(until_rsp=True)
        # Answers carry locality 0: the bare instance.
        assert struct.unpack(">I", f[:4])[0] == self.inst
        return f[4:]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill(); self.proc.wait()

def cmd(ordinal, body=b"", tag=0xC1):
    return struct.pack(">HII", tag, 10 + len(body), ordinal) + body

def rc(rsp):
    return struct.unpack(">I", rsp[6:10])[0]

def pcr10(m):
    r = m.transact(cmd(0x15, struct.pack(">I", 10)))
    return r[10:30] if rc(r) == 0 else None

def main():
    if not os.access(VTPMD, os.X_OK):
        print(f"Bail out! {VTPMD} missing (make O={O})"); sys.exit(1)
    root = tempfile.mkdtemp(prefix="vtpmd-test.")
    os.chmod(root, 0o711)
    m = FakeManager(root, N)
    try:
        m.start()
        m.pump_nvm()                           # LOADNVM: new instance
        m.pump_nvm()                           # the first save of a fresh TPM
        check(m.saves == 1 and m.stored and len(m.stored) > 1000,
              "a new instance is manufactured and saved before serving", f"saves {m.saves}")
        r = m.transact(cmd(0x46, struct.pack(">I", 16)))
        check(rc(r) == 0 and len(r) == 10 + 4 + 16, "GetRandom through the FIFOs")
        r = m.transact(cmd(0x7C, bytes(20)))
        check(rc(r) == 0, "the fresh vTPM has an endorsement key (ReadPubek)", hex(rc(r)))
        # The locality of the prefix: PCR 17 resets only at locality 4
        # (PC Client); 0x33 TPM_NOTLOCAL, 0x3D TPM_BAD_LOCALITY.
        reset17 = cmd(0xC8, struct.pack(">H", 3) + bytes([0, 0, 2]))
        r4 = m.transact(reset17, loc=4)
        r0 = m.transact(reset17, loc=0)
        r5 = m.transact(reset17, loc=5)
        check(rc(r4) == 0 and rc(r0) == 0x33 and rc(r5) == 0x3D,
              "each request runs at its prefix's locality; above 4 is refused",
              f"{rc(r4):#x} {rc(r0):#x} {rc(r5):#x}")
        before = m.saves
        m.transact(cmd(0x14, struct.pack(">I", 10) + hashlib.sha1(b"x").digest()))
        check(m.saves == before, "a PCR extend is not persistent: no save")
        # A permanent change must be acknowledged before the response.
        m.transact(cmd(0x4000000A, struct.pack(">H", 0x20)))
        m.transact(cmd(0x4000000A, struct.pack(">H", 0x08)))
        before = m.saves
        r = m.transact(cmd(0x70))                # PhysicalDisable
        check(rc(r) == 0 and m.saves == before + 1,
              "PhysicalDisable is saved before its response", f"rc {rc(r):#x} saves {m.saves - before}")
        # A foreign frame is dropped; the next request is served.
        os.write(m.fd[f"tpm_cmd_to_{N}"], struct.pack(">I", N + 1) + cmd(0x46, struct.pack(">I", 4)))
        r = m.transact(cmd(0x65, struct.pack(">III", 4, 4, 0x108)))
        check(rc(r) == 0, "a frame for another instance is dropped, later ones served")
        m.stop()
        check(m.proc.returncode == 0, "SIGTERM stops vtpmd with status 0", str(m.proc.returncode))

        # Restart from the stored state: the flag survived, PCRs reset.
        m.start("clear")
        m.pump_nvm()
        r = m.transact(cmd(0x65, struct.pack(">III", 4, 4, 0x108)))
        check(rc(r) == 0 and r[10 + 4 + 2] == 1, "the permanent flag survived the restart", r.hex())
        m.transact(cmd(0x4000000A, struct.pack(">H", 0x08)))
        m.transact(cmd(0x6F))                    # PhysicalEnable
        check(pcr10(m) == bytes(20), "PCRs are reset by a clear start")
        # SaveState + save start restores PCRs.
        m.transact(cmd(0x14, struct.pack(">I", 10) + hashlib.sha1(b"y").digest()))
        pcr = pcr10(m)
        m.transact(cmd(0x98))                    # SaveState
        m.stop()
        m.start("save")
        m.pump_nvm()
        check(pcr10(m) == pcr and pcr != bytes(20), "save mode restores the SaveState snapshot")
        m.stop()
        # Save mode without a snapshot falls back to clear (not failure mode).
        m.start("save")
        m.pump_nvm()
        r = m.transact(cmd(0x46, struct.pack(">I", 4)))
        check(rc(r) == 0, "save mode without a snapshot still serves (clear start)", hex(rc(r)))
        m.stop()
        # The manager refuses to store: the guest gets TPM_FAIL, vtpmd exits.
        m.start("clear")
        m.pump_nvm()
        m.refuse_save = True
        m.transact(cmd(0x4000000A, struct.pack(">H", 0x08)))
        r = m.transact(cmd(0x70))
        m.proc.wait(10)
        check(rc(r) == 9 and m.proc.returncode != 0,
              "a refused save answers TPM_FAIL and vtpmd exits", f"rc {rc(r):#x} exit {m.proc.returncode}")
        m.refuse_save = False
        # State that cannot be restored: vtpmd refuses to start fresh.
        m.refuse_load = True
        m.start("clear")
        m.pump_nvm()
        m.proc.wait(10)
        err = m.proc.stderr.read()
        check(m.proc.returncode != 0 and "refusing to start a fresh TPM" in err,
              "unrestorable state is never replaced by a fresh TPM", err.strip()[-120:])
        m.refuse_load = False
        # The manager going away (EOF on the command FIFO) ends vtpmd.
        m.start("clear")
        m.pump_nvm()
        os.close(m.fd[f"tpm_cmd_to_{N}"])
        m.proc.wait(10)
        check(m.proc.returncode == 0, "vtpmd exits when the manager closes its FIFO")
    except Exception as e:
        not_ok("vtpmd protocol", repr(e))
    finally:
        m.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"1..{passed + failed}")
    sys.exit(1 if failed else 0)

main()
