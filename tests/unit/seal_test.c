// SPDX-License-Identifier: GPL-2.0
/*
 * Sealing of the manager's state (vtpm_manager/seal.c, hwtpm.c) against a
 * real TPM 1.2 in another process: our tpmd on a unix socket (started with
 * hwtpm_spawn_emulator()) and, when installed, swtpm.  Covers the master
 * key's life (first start, later starts, refusals), the instance file
 * format (every flip and truncation refused, files left untouched),
 * foreign and rolled-back files, crash ordering and PCR binding.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "manager.h"

#define UUID_A		"6ba7b810-9dad-11d1-80b4-00c04fd430c8"
#define UUID_B		"6ba7b811-9dad-11d1-80b4-00c04fd430c8"
#define DEBUG_PCR	16U	/* resettable, free for tests (PC Client) */
#define THREADS		6U
#define SAVES_PER_THREAD 12U
#define MAX_VIEWS	4U	/* manager views per test */
#define MAX_CHILDREN	2U	/* extra TPM processes per test */

/* The shared tpmd, started once for the whole run. */
static struct {
	char base[64];			/* temp dir of the run */
	char tpmd[PATH_MAX];		/* the tpmd binary */
	char spec[PATH_MAX];		/* unix:... of the shared tpmd */
	int pid;
	unsigned int roots;		/* manager roots made so far */
	int children[MAX_CHILDREN];	/* started by the current test */
	unsigned int nchildren;
} g;

/* A manager's view: its root, hardware TPM and seal. */
struct mgr_view {
	char root[128];
	struct hwtpm_config cfg;
	struct hwtpm *hw;
	struct seal *sp;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * Views live in a static pool, not on a test's stack: a failing assertion
 * leaves the test by longjmp, and the per-test teardown must still close
 * its connections (tpmd serves one client at a time).
 */
static struct mgr_view views[MAX_VIEWS];
static unsigned int nviews;

static struct mgr_view *new_root(const char *device)
{
	struct mgr_view *v;

	assert_true(nviews < MAX_VIEWS);
	v = &views[nviews++];
	memset(v, 0, sizeof(*v));
	snprintf(v->root, sizeof(v->root), "%s/root%u", g.base, ++g.roots);
	assert_int_equal(mkdir(v->root, 0700), 0);
	v->cfg.device = device;
	v->cfg.root = v->root;
	return v;
}

/* A child process (tpmd, swtpm) to stop after the test. */
static void track_child(int pid)
{
	assert_true(g.nchildren < MAX_CHILDREN);
	g.children[g.nchildren++] = pid;
}

/* hwtpm_open + seal_open; returns seal_open's result. */
static int start(struct mgr_view *v)
{
	int err;

	err = hwtpm_open(&v->hw, &v->cfg);
	assert_int_equal(err, 0);
	err = seal_open(&v->sp, v->root, v->hw);
	if (err)
		v->sp = NULL;
	return err;
}

static void stop(struct mgr_view *v)
{
	seal_close(v->sp);
	hwtpm_close(v->hw);
	v->sp = NULL;
	v->hw = NULL;
}

/* Close the hardware TPM connection of a view whose seal_open failed. */
static void close_hw(struct mgr_view *v)
{
	hwtpm_close(v->hw);
	v->hw = NULL;
}

static void file_path(char *buf, size_t cap, const struct mgr_view *v,
		      const char *name)
{
	snprintf(buf, cap, "%s/%s", v->root, name);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	uint8_t *buf;
	struct stat st;
	FILE *f;

	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	assert_int_equal(*len, (size_t)st.st_size);
	fclose(f);
	return buf;
}

static void spill(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The file at @path holds exactly @data. */
static void assert_file_is(const char *path, const uint8_t *data, size_t len)
{
	size_t n;
	uint8_t *now = slurp(path, &n);

	assert_int_equal(n, len);
	assert_memory_equal(now, data, len);
	free(now);
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

static void store_pattern(struct mgr_view *v, uint32_t inst,
			  const char *uuid, size_t n, unsigned int seed)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	fill(p, n, seed);
	assert_int_equal(seal_state_store(v->sp, inst, uuid, p, n), 0);
	/* As save.c does once the save is acknowledged. */
	assert_int_equal(seal_index_flush(v->sp, true), 0);
	free(p);
}

static void load_expect(struct mgr_view *v, uint32_t inst, const char *uuid,
			size_t n, unsigned int seed)
{
	uint8_t *want = malloc(n ? n : 1), *blob = NULL;
	const char *why = NULL;
	size_t len = 0;
	int err;

	assert_non_null(want);
	fill(want, n, seed);
	err = seal_state_load(v->sp, inst, uuid, &blob, &len, &why);
	if (err)
		print_message("load of %u: %d (%s)\n", inst, err,
			      why ? why : "-");
	assert_int_equal(err, 0);
	assert_null(why);
	assert_int_equal(len, n);
	assert_memory_equal(blob, want, n);
	free(blob);
	free(want);
}

static int load_err(struct mgr_view *v, uint32_t inst, const char *uuid,
		    const char **why)
{
	uint8_t *blob = NULL;
	size_t len = 0;
	int err;

	*why = NULL;
	err = seal_state_load(v->sp, inst, uuid, &blob, &len, why);
	if (!err)
		free(blob);
	else if (err == -EBADMSG)
		assert_non_null(*why);
	return err;
}

static void extend_pcr(struct hwtpm *hw, uint32_t pcr)
{
	uint8_t cmd[34] = { 0x00, 0xC1, 0, 0, 0, 34, 0, 0, 0, 0x14 };
	uint8_t rsp[64];
	size_t n;

	cmd[13] = (uint8_t)pcr;
	memset(cmd + 14, 0xA5, 20);
	assert_int_equal(hwtpm_transact(hw, cmd, sizeof(cmd), rsp,
					sizeof(rsp), &n), 0);
	assert_int_equal(n, 30);
	assert_int_equal(rsp[9], 0);	/* TPM_SUCCESS */
}

/* ---- the master key ---- */

/* An unowned TPM is taken, and the owner secret recorded 0600 for the
 * administrator; the recorded secret then passes the owner check. */
static void hwtpm_open_unowned_takes_ownership(void **state)
{
	char dir[256], spec[PATH_MAX], path[512];
	struct mgr_view *v;
	struct stat st;
	uint8_t *text;
	size_t n;
	int pid;

	(void)state;
	v = new_root(NULL);
	snprintf(dir, sizeof(dir), "%s/own", v->root);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(hwtpm_spawn_emulator(dir, g.tpmd, spec, sizeof(spec),
					      &pid), 0);
	track_child(pid);
	v->cfg.device = spec;
	assert_int_equal(hwtpm_open(&v->hw, &v->cfg), 0);
	assert_non_null(strstr(hwtpm_describe(v->hw), "emulated"));
	file_path(path, sizeof(path), v, "hwtpm-owner.auth");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = slurp(path, &n);
	text[n] = '\0';
	assert_non_null(strstr((char *)text, "owner_auth = hex:"));
	free(text);
	close_hw(v);
	/* Owned now: the recorded secret is used and accepted. */
	assert_int_equal(hwtpm_open(&v->hw, &v->cfg), 0);
	close_hw(v);
	/* A configured owner secret that is wrong is refused. */
	v->cfg.owner_auth_set = true;
	memset(v->cfg.owner_auth, 0x5A, sizeof(v->cfg.owner_auth));
	assert_int_equal(hwtpm_open(&v->hw, &v->cfg), -EACCES);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* tpmd with a chosen --startup, straight from the binary. */
static void start_tpmd(const char *dir, const char *startup, char *spec,
		       size_t cap)
{
	char sock[384];
	int pid, i;

	snprintf(sock, sizeof(sock), "%s/t.sock", dir);
	snprintf(spec, cap, "unix:%s", sock);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(g.tpmd, "tpmd", "--listen", spec, "--state-dir", dir,
		      "--startup", startup, "-d", (char *)NULL);
		_exit(127);
	}
	track_child(pid);
	for (i = 0; i < 200 && access(sock, F_OK); i++)
		usleep(50000);
}

/* A TPM that was never started gets TPM_Startup(ST_CLEAR) and works; a
 * deactivated one is refused. */
static void hwtpm_open_startup_and_deactivated(void **state)
{
	char dir[256], spec[512];
	struct mgr_view *v;

	(void)state;
	v = new_root(NULL);
	snprintf(dir, sizeof(dir), "%s/none", v->root);
	assert_int_equal(mkdir(dir, 0700), 0);
	start_tpmd(dir, "none", spec, sizeof(spec));
	v->cfg.device = spec;
	assert_int_equal(start(v), 0);
	stop(v);
	snprintf(dir, sizeof(dir), "%s/deact", v->root);
	assert_int_equal(mkdir(dir, 0700), 0);
	start_tpmd(dir, "deactivated", spec, sizeof(spec));
	assert_int_equal(hwtpm_open(&v->hw, &v->cfg), -EPERM);
}

/* First start creates manager.sealed (0600); the second start unseals
 * the same key: state stored before decrypts after. */
static void seal_open_second_start_same_key(void **state)
{
	char path[512];
	struct mgr_view *v;
	struct stat st;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	file_path(path, sizeof(path), v, "manager.sealed");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	store_pattern(v, 1, UUID_A, 1000, 1);
	stop(v);
	assert_int_equal(start(v), 0);
	load_expect(v, 1, UUID_A, 1000, 1);
	stop(v);
}

/* Every flip and every truncation of manager.sealed is refused, the file
 * is left as it is, and the intact file still works afterwards. */
static void seal_open_damaged_sealed_refused(void **state)
{
	char path[512];
	struct mgr_view *v;
	uint8_t *orig;
	size_t n, i;
	int err;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	store_pattern(v, 3, UUID_A, 64, 3);
	stop(v);
	file_path(path, sizeof(path), v, "manager.sealed");
	orig = slurp(path, &n);
	assert_int_equal(hwtpm_open(&v->hw, &v->cfg), 0);
	for (i = 0; i < n; i++) {
		orig[i] ^= 0x01;
		spill(path, orig, n);
		err = seal_open(&v->sp, v->root, v->hw);
		assert_true(err == -EBADMSG || err == -EACCES);
		assert_file_is(path, orig, n);
		orig[i] ^= 0x01;
	}
	for (i = 0; i < n; i++) {
		spill(path, orig, i);
		assert_int_equal(seal_open(&v->sp, v->root, v->hw), -EBADMSG);
		assert_file_is(path, orig, i);
	}
	close_hw(v);
	spill(path, orig, n);
	free(orig);
	assert_int_equal(start(v), 0);
	load_expect(v, 3, UUID_A, 64, 3);
	stop(v);
}

/* manager.sealed gone while state exists: no new key, no new file. */
static void seal_open_missing_sealed_with_state_refused(void **state)
{
	char path[512];
	struct mgr_view *v;
	struct stat st;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	store_pattern(v, 2, UUID_A, 10, 2);
	stop(v);
	file_path(path, sizeof(path), v, "manager.sealed");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(start(v), -ENOKEY);
	close_hw(v);
	assert_int_equal(stat(path, &st), -1);
	/* The index alone counts as state too. */
	file_path(path, sizeof(path), v, "instances/2.state");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(start(v), -ENOKEY);
	close_hw(v);
}

/* A wrong SRK secret makes the TPM refuse: -EACCES, file kept. */
static void seal_open_wrong_srk_secret_eacces(void **state)
{
	char path[512];
	struct mgr_view *v;
	uint8_t *orig;
	size_t n;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	stop(v);
	file_path(path, sizeof(path), v, "manager.sealed");
	orig = slurp(path, &n);
	memset(v->cfg.srk_auth, 0x11, sizeof(v->cfg.srk_auth));
	assert_int_equal(start(v), -EACCES);
	close_hw(v);
	assert_file_is(path, orig, n);
	free(orig);
}

/* Bound to a PCR: unseals while it holds its value, -EACCES after it
 * was extended. */
static void seal_open_pcr_extended_eacces(void **state)
{
	struct mgr_view *v;

	(void)state;
	v = new_root(g.spec);
	v->cfg.seal_pcr_mask = 1U << DEBUG_PCR | 1U << 0;
	assert_int_equal(start(v), 0);
	stop(v);
	assert_int_equal(start(v), 0);
	extend_pcr(v->hw, DEBUG_PCR);
	stop(v);
	assert_int_equal(start(v), -EACCES);
	close_hw(v);
}

/* ---- instance files ---- */

/* Blobs of several sizes (empty to the maximum) survive a round trip;
 * a never-saved instance is -ENOENT; LIST's mtime is set. */
static void seal_state_roundtrip(void **state)
{
	static const size_t sizes[] = { 0, 1, 4096, VTPM_MAX_STATE_BLOB };
	const char *why;
	struct mgr_view *v;
	size_t i;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	assert_int_equal(load_err(v, 7, UUID_A, &why), -ENOENT);
	assert_int_equal(seal_state_mtime(v->sp, 7), 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		store_pattern(v, 7, UUID_A, sizes[i], (unsigned int)i);
		load_expect(v, 7, UUID_A, sizes[i], (unsigned int)i);
	}
	assert_true(seal_state_mtime(v->sp, 7) + 60 >= (uint64_t)time(NULL));
	/* An instance without uuid (vtpmctl open N). */
	store_pattern(v, 8, "", 5, 8);
	load_expect(v, 8, "", 5, 8);
	assert_int_equal(load_err(v, 8, UUID_A, &why), -EBADMSG);
	/* Oversized or instance 0: refused before anything is written. */
	assert_int_equal(seal_state_store(v->sp, 0, UUID_A, NULL, 0), -EINVAL);
	stop(v);
}

/* Every single-byte flip (two bit patterns per byte), every truncation
 * and an appended byte are refused with -EBADMSG; the file is left
 * byte-identical each time. */
static void seal_state_every_flip_and_truncation_refused(void **state)
{
	char path[512];
	const char *why;
	struct mgr_view *v;
	uint8_t *orig, *buf;
	size_t n, i, k;
	static const uint8_t masks[] = { 0x01, 0x80 };

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	store_pattern(v, 4, UUID_A, 48, 4);
	file_path(path, sizeof(path), v, "instances/4.state");
	orig = slurp(path, &n);
	buf = malloc(n + 1);
	assert_non_null(buf);
	for (k = 0; k < sizeof(masks); k++) {
		for (i = 0; i < n; i++) {
			memcpy(buf, orig, n);
			buf[i] ^= masks[k];
			spill(path, buf, n);
			assert_int_equal(load_err(v, 4, UUID_A, &why),
					 -EBADMSG);
			assert_file_is(path, buf, n);
		}
	}
	for (i = 0; i < n; i++) {
		spill(path, orig, i);
		assert_int_equal(load_err(v, 4, UUID_A, &why), -EBADMSG);
		assert_file_is(path, orig, i);
	}
	memcpy(buf, orig, n);
	buf[n] = 0;
	spill(path, buf, n + 1);
	assert_int_equal(load_err(v, 4, UUID_A, &why), -EBADMSG);
	spill(path, orig, n);
	load_expect(v, 4, UUID_A, 48, 4);
	free(buf);
	free(orig);
	stop(v);
}

/* A file copied to another instance number, or loaded for another uuid,
 * is foreign; so is a file sealed under another master key. */
static void seal_state_foreign_refused(void **state)
{
	char from[512], to[512];
	struct mgr_view *v, *w;
	const char *why;
	uint8_t *data;
	size_t n;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	store_pattern(v, 5, UUID_A, 100, 5);
	file_path(from, sizeof(from), v, "instances/5.state");
	file_path(to, sizeof(to), v, "instances/6.state");
	data = slurp(from, &n);
	spill(to, data, n);
	assert_int_equal(load_err(v, 6, UUID_A, &why), -EBADMSG);
	assert_non_null(strstr(why, "another instance"));
	assert_file_is(to, data, n);
	assert_int_equal(load_err(v, 5, UUID_B, &why), -EBADMSG);
	assert_non_null(strstr(why, "another uuid"));
	stop(v);
	/* Another manager (another master key) cannot read it; tpmd serves
	 * one client at a time, so one manager after the other. */
	w = new_root(g.spec);
	assert_int_equal(start(w), 0);
	file_path(to, sizeof(to), w, "instances/5.state");
	spill(to, data, n);
	assert_int_equal(load_err(w, 5, UUID_A, &why), -EBADMSG);
	assert_non_null(strstr(why, "authentication"));
	stop(w);
	free(data);
}

/* An older generation put back is refused, also after a restart. */
static void seal_state_rollback_refused(void **state)
{
	char path[512];
	struct mgr_view *v;
	const char *why;
	uint8_t *old;
	size_t n;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	store_pattern(v, 9, UUID_A, 30, 1);
	file_path(path, sizeof(path), v, "instances/9.state");
	old = slurp(path, &n);
	store_pattern(v, 9, UUID_A, 30, 2);
	spill(path, old, n);
	assert_int_equal(load_err(v, 9, UUID_A, &why), -EBADMSG);
	assert_non_null(strstr(why, "rollback"));
	assert_file_is(path, old, n);
	stop(v);
	assert_int_equal(start(v), 0);
	assert_int_equal(load_err(v, 9, UUID_A, &why), -EBADMSG);
	assert_non_null(strstr(why, "rollback"));
	free(old);
	stop(v);
}

/* A crash between the state write and the index write (simulated by
 * putting the old index back) leaves the new state loadable; the load
 * catches the index up, so the older state is then refused. */
static void seal_state_crash_before_index_loads(void **state)
{
	char spath[512], ipath[512];
	uint8_t *old_state, *old_index;
	size_t ns, ni;
	struct mgr_view *v;
	const char *why;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	store_pattern(v, 10, UUID_A, 20, 1);
	file_path(spath, sizeof(spath), v, "instances/10.state");
	file_path(ipath, sizeof(ipath), v, "instances/generations");
	old_state = slurp(spath, &ns);
	old_index = slurp(ipath, &ni);
	store_pattern(v, 10, UUID_A, 20, 2);
	stop(v);
	spill(ipath, old_index, ni);		/* the "crash" */
	assert_int_equal(start(v), 0);
	load_expect(v, 10, UUID_A, 20, 2);
	spill(spath, old_state, ns);
	assert_int_equal(load_err(v, 10, UUID_A, &why), -EBADMSG);
	stop(v);
	free(old_state);
	free(old_index);
}

/* A deleted state file is not a new instance while the index remembers
 * a save; DELETE forgets both. */
static void seal_state_missing_file_refused_until_delete(void **state)
{
	char path[512];
	struct mgr_view *v;
	const char *why;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	store_pattern(v, 11, UUID_A, 20, 1);
	file_path(path, sizeof(path), v, "instances/11.state");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(load_err(v, 11, UUID_A, &why), -EBADMSG);
	assert_non_null(strstr(why, "missing"));
	assert_int_equal(seal_state_delete(v->sp, 11), 0);
	assert_int_equal(load_err(v, 11, UUID_A, &why), -ENOENT);
	store_pattern(v, 11, UUID_A, 20, 2);
	assert_int_equal(seal_state_delete(v->sp, 11), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(seal_state_mtime(v->sp, 11), 0);
	stop(v);
	assert_int_equal(start(v), 0);
	assert_int_equal(load_err(v, 11, UUID_A, &why), -ENOENT);
	stop(v);
}

/* A damaged index stops the start (left in place); a removed one is
 * rebuilt from the state files that authenticate. */
static void seal_open_index_damaged_or_missing(void **state)
{
	char path[512];
	struct mgr_view *v;
	uint8_t *idx;
	size_t n;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	store_pattern(v, 12, UUID_A, 20, 1);
	store_pattern(v, 12, UUID_A, 20, 2);
	stop(v);
	file_path(path, sizeof(path), v, "instances/generations");
	idx = slurp(path, &n);
	idx[n - 1] ^= 0x40;
	spill(path, idx, n);
	assert_int_equal(start(v), -EBADMSG);
	close_hw(v);
	assert_file_is(path, idx, n);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(start(v), 0);
	load_expect(v, 12, UUID_A, 20, 2);
	assert_int_not_equal(seal_state_mtime(v->sp, 12), 0);
	stop(v);
	free(idx);
}

struct saver {
	struct mgr_view *v;
	uint32_t instance;
};

static void *saver_main(void *arg)
{
	struct saver *s = arg;
	uint8_t blob[256];
	unsigned int i;

	for (i = 0; i < SAVES_PER_THREAD; i++) {
		fill(blob, sizeof(blob), s->instance * 100 + i);
		if (seal_state_store(s->v->sp, s->instance, UUID_A, blob,
				     sizeof(blob)) ||
		    seal_index_flush(s->v->sp, false))
			return (void *)1;
	}
	return NULL;
}

/* Concurrent stores of different instances (save.c's workers) keep
 * every file and the index consistent. */
static void seal_state_store_concurrent(void **state)
{
	struct saver s[THREADS];
	pthread_t t[THREADS];
	struct mgr_view *v;
	const char *why;
	void *ret;
	unsigned int i;

	(void)state;
	v = new_root(g.spec);
	assert_int_equal(start(v), 0);
	for (i = 0; i < THREADS; i++) {
		s[i].v = v;
		s[i].instance = 20 + i;
		assert_int_equal(pthread_create(&t[i], NULL, saver_main,
						&s[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	stop(v);
	assert_int_equal(start(v), 0);
	for (i = 0; i < THREADS; i++) {
		uint8_t *blob;
		size_t len;

		assert_int_equal(seal_state_load(v->sp, 20 + i, UUID_A, &blob,
						 &len, &why), 0);
		assert_int_equal(len, 256);
		assert_int_equal(blob[0],
				 (uint8_t)((20 + i) * 100 +
					   SAVES_PER_THREAD - 1));
		free(blob);
	}
	stop(v);
}

/* ---- swtpm as the hardware TPM ---- */

static int start_swtpm(const char *dir, char *spec, size_t cap)
{
	char state[512], server[512], ctrl[512], sock[384];
	int pid, i;

	snprintf(sock, sizeof(sock), "%s/swtpm.sock", dir);
	snprintf(state, sizeof(state), "dir=%s", dir);
	snprintf(server, sizeof(server), "type=unixio,path=%s", sock);
	snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s/ctrl.sock", dir);
	snprintf(spec, cap, "unix:%s", sock);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execlp("swtpm", "swtpm", "socket", "--tpmstate", state,
		       "--server", server, "--ctrl", ctrl, "--flags",
		       "not-need-init,startup-clear", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && access(sock, F_OK); i++)
		usleep(50000);
	return pid;
}

/* swtpm (TPM 1.2, no EK at first) as the hardware TPM: ownership, first
 * start, second start and a state round trip. */
static void seal_open_swtpm_first_and_second_start(void **state)
{
	char dir[256], spec[512];
	struct mgr_view *v;
	int pid;

	(void)state;
	if (system("command -v swtpm >/dev/null 2>&1")) {
		skip();
		return;
	}
	v = new_root(NULL);
	snprintf(dir, sizeof(dir), "%s/swtpm", v->root);
	assert_int_equal(mkdir(dir, 0700), 0);
	pid = start_swtpm(dir, spec, sizeof(spec));
	track_child(pid);
	v->cfg.device = spec;
	assert_int_equal(start(v), 0);
	store_pattern(v, 1, UUID_B, 777, 9);
	stop(v);
	assert_int_equal(start(v), 0);
	load_expect(v, 1, UUID_B, 777, 9);
	stop(v);
}

/* ---- the run ---- */

static int setup(void **state)
{
	char self[PATH_MAX];
	const char *env = getenv("TPMD");
	ssize_t n;

	(void)state;
	log_init("seal_test", 1, 0);
	snprintf(g.base, sizeof(g.base), "/tmp/seal_test.XXXXXX");
	if (!mkdtemp(g.base))
		return -1;
	if (env) {
		snprintf(g.tpmd, sizeof(g.tpmd), "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return -1;
		self[n] = '\0';
		/* <O>/tests/unit/seal_test -> <O>/tpmd */
		snprintf(g.tpmd, sizeof(g.tpmd), "%s/../../tpmd",
			 dirname(self));
	}
	if (access(g.tpmd, X_OK)) {
		fprintf(stderr, "seal_test: no tpmd at %s (run make)\n",
			g.tpmd);
		return -1;
	}
	return hwtpm_spawn_emulator(g.base, g.tpmd, g.spec, sizeof(g.spec),
				    &g.pid) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	if (g.pid > 0) {
		kill(g.pid, SIGTERM);
		waitpid(g.pid, NULL, 0);
	}
	nftw(g.base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* After each test, passed or failed: close what it left open. */
static int test_teardown(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < nviews; i++)
		stop(&views[i]);
	nviews = 0;
	for (i = 0; i < g.nchildren; i++) {
		kill(g.children[i], SIGTERM);
		waitpid(g.children[i], NULL, 0);
	}
	g.nchildren = 0;
	return 0;
}

#define T(f) cmocka_unit_test_teardown(f, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(hwtpm_open_unowned_takes_ownership),
		T(hwtpm_open_startup_and_deactivated),
		T(seal_open_second_start_same_key),
		T(seal_open_damaged_sealed_refused),
		T(seal_open_missing_sealed_with_state_refused),
		T(seal_open_wrong_srk_secret_eacces),
		T(seal_open_pcr_extended_eacces),
		T(seal_state_roundtrip),
		T(seal_state_every_flip_and_truncation_refused),
		T(seal_state_foreign_refused),
		T(seal_state_rollback_refused),
		T(seal_state_crash_before_index_loads),
		T(seal_state_missing_file_refused_until_delete),
		T(seal_open_index_damaged_or_missing),
		T(seal_state_store_concurrent),
		T(seal_open_swtpm_first_and_second_start),
	};

	return cmocka_run_group_tests_name("seal", tests, setup, teardown);
}
