// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the manager's xenstore control plane (xenstore.c), run on
 * an in-memory xenstore that keeps xenstored's rules where they matter
 * (watches fire for a node and everything below it, and once when set;
 * directories appear with their first key; a transaction sees the store
 * as it is).  vtpm.db (db.c) and the guest table (instance.c) are the real
 * code, on a temporary state root; inst_start() and inst_stop() are
 * doubles (linker --wrap): no vtpmd runs, a test says when one is up.
 */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"
#include "manager.h"
#include "vtpm_shared.h"

int __wrap_inst_start(struct mgr *m, struct instance *in);
void __wrap_inst_stop(struct mgr *m, struct instance *in);

#define UA	"0c7b1c6e-4f0f-4a53-9d3b-2a1e7c1b5d01"
#define UB	"6a1d3b2e-8c4f-4e1a-b2d7-91f0a3c4e5b2"
#define UC	"d2e4f6a8-1b3c-4d5e-8f70-a1b2c3d4e5f6"
#define BE	VTPM_XS_BACKEND_ROOT

/* ---- the in-memory xenstore ---- */

#define FX_NODES	2048
#define FX_WATCHES	64
#define FX_EVENTS	4096
#define FX_DOMAINS	64

struct fx_node {
	char *path;
	char *value;
	unsigned int len;
};

static struct {
	struct fx_node n[FX_NODES];
	size_t nn;
	struct { char path[160]; char token[32]; } w[FX_WATCHES];
	size_t nw;
	struct { char *path; char *token; } ev[FX_EVENTS];
	size_t ne;
	bool alive[FX_DOMAINS];
	bool hvm[FX_DOMAINS];
	int write_eagain;		/* next write_if()s that conflict */
	int write_enoent;		/* next write_if()s that see another
					 * uuid (changed and changed back) */
	unsigned int writes;		/* successful write_if()s */
	bool open;
} fx;

static struct fx_node *fx_find(const char *path)
{
	size_t i;

	for (i = 0; i < fx.nn; i++)
		if (!strcmp(fx.n[i].path, path))
			return &fx.n[i];
	return NULL;
}

static bool is_under(const char *path, const char *top)
{
	size_t n = strlen(top);

	return !strncmp(path, top, n) && (!path[n] || path[n] == '/');
}

static void fx_event(const char *path, const char *token)
{
	assert_true(fx.ne < FX_EVENTS);
	fx.ev[fx.ne].path = strdup(path);
	fx.ev[fx.ne].token = strdup(token);
	fx.ne++;
}

/* A change of @path fires the watches on it and above it. */
static void fx_fire(const char *path)
{
	size_t i;

	for (i = 0; i < fx.nw; i++)
		if (is_under(path, fx.w[i].path))
			fx_event(path, fx.w[i].token);
}

static void fx_set_len(const char *path, const char *v, unsigned int len)
{
	struct fx_node *n = fx_find(path);
	char parent[160];
	char *slash;

	/* Like xenstored: missing parents are created (empty). */
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (!fx_find(parent))
			fx_set_len(parent, "", 0);
	}
	if (!n) {
		assert_true(fx.nn < FX_NODES);
		n = &fx.n[fx.nn++];
		n->path = strdup(path);
	} else {
		free(n->value);
	}
	n->value = malloc(len + 1);
	memcpy(n->value, v, len);
	n->value[len] = '\0';
	n->len = len;
	fx_fire(path);
}

static void fx_set(const char *path, const char *v)
{
	fx_set_len(path, v, (unsigned int)strlen(v));
}

/* Set the node named by @fmt to @v. */
static void setf(const char *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void setf(const char *v, const char *fmt, ...)
{
	char path[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	fx_set(path, v);
}

/* Remove @path and everything below; watches on them fire too. */
static void fx_rm(const char *path)
{
	size_t i, j;

	for (i = j = 0; i < fx.nn; i++) {
		if (is_under(fx.n[i].path, path)) {
			free(fx.n[i].path);
			free(fx.n[i].value);
		} else {
			fx.n[j++] = fx.n[i];
		}
	}
	fx.nn = j;
	fx_fire(path);
	for (i = 0; i < fx.nw; i++)
		if (is_under(fx.w[i].path, path) && strcmp(fx.w[i].path, path))
			fx_event(fx.w[i].path, fx.w[i].token);
}

static const char *get(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static const char *get(const char *fmt, ...)
{
	struct fx_node *n;
	char path[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	n = fx_find(path);
	return n ? n->value : NULL;
}

static int fx_open(void **h)
{
	*h = &fx;
	fx.open = true;
	return 0;
}

static void fx_close(void *h)
{
	(void)h;
	fx.open = false;
}

static int fx_fileno(void *h)
{
	(void)h;
	return -1;
}

static int fx_watch(void *h, const char *path, const char *token)
{
	(void)h;
	assert_true(fx.nw < FX_WATCHES);
	snprintf(fx.w[fx.nw].path, sizeof(fx.w[0].path), "%s", path);
	snprintf(fx.w[fx.nw].token, sizeof(fx.w[0].token), "%s", token);
	fx.nw++;
	/* xenstored fires a new watch once. */
	fx_event(path, token);
	return 0;
}

static int fx_unwatch(void *h, const char *path, const char *token)
{
	size_t i;

	(void)h;
	for (i = 0; i < fx.nw; i++)
		if (!strcmp(fx.w[i].path, path) &&
		    !strcmp(fx.w[i].token, token)) {
			fx.w[i] = fx.w[--fx.nw];
			return 0;
		}
	return -ENOENT;
}

static int fx_next_event(void *h, char **path, char **token)
{
	(void)h;
	if (!fx.ne)
		return -EAGAIN;
	*path = fx.ev[0].path;
	*token = fx.ev[0].token;
	memmove(&fx.ev[0], &fx.ev[1], (fx.ne - 1) * sizeof(fx.ev[0]));
	fx.ne--;
	return 0;
}

static char *fx_read(void *h, const char *path, unsigned int *len)
{
	struct fx_node *n = fx_find(path);
	char *v;

	(void)h;
	if (!n) {
		errno = ENOENT;
		return NULL;
	}
	v = malloc(n->len + 1);
	memcpy(v, n->value, n->len + 1);
	*len = n->len;
	return v;
}

static char **fx_directory(void *h, const char *path, unsigned int *num)
{
	size_t i, k = 0, bytes = 0, pl = strlen(path);
	char **out, *p;

	(void)h;
	if (!fx_find(path)) {
		errno = ENOENT;
		return NULL;
	}
	for (i = 0; i < fx.nn; i++)
		if (is_under(fx.n[i].path, path) && fx.n[i].path[pl] == '/' &&
		    !strchr(fx.n[i].path + pl + 1, '/')) {
			k++;
			bytes += strlen(fx.n[i].path + pl + 1) + 1;
		}
	/* One allocation, as libxenstore's. */
	out = malloc((k + 1) * sizeof(*out) + bytes);
	p = (char *)(out + k + 1);
	for (i = 0, k = 0; i < fx.nn; i++)
		if (is_under(fx.n[i].path, path) && fx.n[i].path[pl] == '/' &&
		    !strchr(fx.n[i].path + pl + 1, '/')) {
			out[k++] = strcpy(p, fx.n[i].path + pl + 1);
			p += strlen(p) + 1;
		}
	*num = (unsigned int)k;
	return out;
}

static int fx_write_if(void *h, const char *dir, const char *check_key,
		       const char *check_value, const char *key,
		       const char *value)
{
	char path[160];

	(void)h;
	if (fx.write_eagain > 0) {
		fx.write_eagain--;
		return -EAGAIN;
	}
	if (fx.write_enoent > 0) {
		fx.write_enoent--;
		return -ENOENT;
	}
	if (!get("%s/%s", dir, check_key) ||
	    strcmp(get("%s/%s", dir, check_key), check_value))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	fx_set(path, value);
	fx.writes++;
	return 0;
}

static int fx_domain_alive(void *h, unsigned int domid, bool *hvm)
{
	(void)h;
	if (domid >= FX_DOMAINS || !fx.alive[domid])
		return 0;
	*hvm = fx.hvm[domid];
	return 1;
}

static const struct xs_ops fx_ops = {
	.open = fx_open,
	.close = fx_close,
	.fileno = fx_fileno,
	.watch = fx_watch,
	.unwatch = fx_unwatch,
	.next_event = fx_next_event,
	.read = fx_read,
	.directory = fx_directory,
	.write_if = fx_write_if,
	.domain_alive = fx_domain_alive,
};

static void fx_reset(void)
{
	size_t i;

	for (i = 0; i < fx.nn; i++) {
		free(fx.n[i].path);
		free(fx.n[i].value);
	}
	for (i = 0; i < fx.ne; i++) {
		free(fx.ev[i].path);
		free(fx.ev[i].token);
	}
	memset(&fx, 0, sizeof(fx));
}

/* ---- doubles of the manager around xenstore.c ---- */

static uint64_t now_ms = 1000;
static unsigned int starts, stops;
static uint8_t last_mode, last_vm;

uint64_t mgr_now_ms(void)
{
	return now_ms;
}

int __wrap_inst_start(struct mgr *m, struct instance *in)
{
	(void)m;
	if (in->state != INST_STOPPED)
		return 0;
	starts++;
	last_mode = in->startup;
	last_vm = in->vm_type;
	in->state = INST_STARTING;
	in->startup = VTPM_STARTUP_CLEAR;
	return 0;
}

/* A vtpmd that stops at once (the reap included). */
void __wrap_inst_stop(struct mgr *m, struct instance *in)
{
	(void)m;
	if (in->state == INST_STOPPED)
		return;
	stops++;
	in->state = INST_STOPPED;
}

/* instance.c's data path is never reached from here. */
int fifo_instance_open(struct mgr *m, struct instance *in)
{
	(void)m;
	(void)in;
	abort();
}

void fifo_instance_close(struct instance *in, const char *root, bool unlink)
{
	(void)in;
	(void)root;
	(void)unlink;
	abort();
}

int seal_state_load(struct seal *sp, uint32_t instance, const char *uuid,
		    uint8_t **blob, size_t *len, const char **why)
{
	(void)sp;
	(void)instance;
	(void)uuid;
	(void)blob;
	(void)len;
	(void)why;
	abort();
}

int seal_state_delete(struct seal *sp, uint32_t instance)
{
	(void)sp;
	(void)instance;
	abort();
}

int save_submit(struct mgr *m, uint32_t instance, uint8_t *blob, size_t len)
{
	(void)m;
	(void)instance;
	(void)blob;
	(void)len;
	abort();
}

void backend_send_error(struct mgr *m, uint32_t instance, uint16_t req_tag,
			uint32_t rc)
{
	(void)m;
	(void)instance;
	(void)req_tag;
	(void)rc;
	abort();
}

void backend_send(struct mgr *m, const uint8_t *frame, size_t len)
{
	(void)m;
	(void)frame;
	(void)len;
	abort();
}

/* ---- the manager under test ---- */

static struct mgr *M;
static char root[64];

static void pump(void)
{
	xs_on_readable(M);
	xs_tick(M);
}

static void mgr_start(void)
{
	M = calloc(1, sizeof(*M));
	assert_non_null(M);
	M->cfg.root = root;
	M->backend_fd = M->console_fd = M->rsp_fd = M->nvm_fd = -1;
	M->signal_fd = M->save_done_fd = -1;
	assert_int_equal(db_load(M), 0);
	assert_int_equal(xs_init(M, &fx_ops), 0);
	pump();
}

/* The manager goes away (crash or exit): its vtpmds with it. */
static void mgr_exit(void)
{
	xs_fini(M);
	assert_false(fx.open);
	while (M->ninst)
		inst_remove(M, M->inst[0]);
	free(M->inst);
	db_fini(M);
	free(M);
	M = NULL;
}

static struct instance *inst(uint32_t id)
{
	return inst_find(M, id);
}

/* The vtpmd of @id answered LOADNVM: it runs. */
static void vtpmd_up(uint32_t id)
{
	assert_non_null(inst(id));
	assert_int_equal(inst(id)->state, INST_STARTING);
	inst(id)->state = INST_RUNNING;
	pump();
}

/* What libxl 4.17 writes for `vtpm = ['backend=0,uuid=U']` (one
 * transaction: the watch events are read only at the next pump()). */
static void guest_add_keys(unsigned int domid, unsigned int devid,
			   const char *uuid, bool with_uuid)
{
	char v[64];

	fx.alive[domid] = true;
	snprintf(v, sizeof(v), "guest%u", domid);
	setf(v, "/local/domain/%u/name", domid);
	snprintf(v, sizeof(v), "%s/%u/%u", BE, domid, devid);
	setf(v, "/local/domain/%u/device/vtpm/%u/backend", domid, devid);
	setf("0", "/local/domain/%u/device/vtpm/%u/backend-id", domid, devid);
	setf("1", "/local/domain/%u/device/vtpm/%u/state", domid, devid);
	snprintf(v, sizeof(v), "/local/domain/%u/device/vtpm/%u", domid,
		 devid);
	setf(v, BE "/%u/%u/frontend", domid, devid);
	snprintf(v, sizeof(v), "%u", domid);
	setf(v, BE "/%u/%u/frontend-id", domid, devid);
	setf("1", BE "/%u/%u/online", domid, devid);
	setf("1", BE "/%u/%u/state", domid, devid);
	snprintf(v, sizeof(v), "%u", devid);
	setf(v, BE "/%u/%u/handle", domid, devid);
	setf("False", BE "/%u/%u/resume", domid, devid);
	if (with_uuid)
		setf(uuid, BE "/%u/%u/uuid", domid, devid);
}

static void guest_add(unsigned int domid, const char *uuid)
{
	guest_add_keys(domid, 0, uuid, true);
}

/* `xl destroy`: the domain and its directories go. */
static void guest_destroy(unsigned int domid)
{
	char path[64];

	fx.alive[domid] = false;
	snprintf(path, sizeof(path), "%s/%u", BE, domid);
	fx_rm(path);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	fx_rm(path);
	fx_event("@releaseDomain", "vtpm-release");
}

static char *slurp(const char *name)
{
	static char buf[4096];
	char path[128];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "r");
	if (!f)
		return strcpy(buf, "");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool db_has(const char *uuid, uint32_t id)
{
	char line[128];

	snprintf(line, sizeof(line), "%s %u\n", uuid, id);
	return strstr(slurp("vtpm.db"), line) != NULL;
}

static int setup(void **state)
{
	(void)state;
	fx_reset();
	snprintf(root, sizeof(root), "/tmp/xenstore_test.XXXXXX");
	assert_non_null(mkdtemp(root));
	starts = stops = 0;
	now_ms = 1000;
	mgr_start();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (M)
		mgr_exit();
	fx_reset();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

/* ---- the tests ---- */

/* A new device: its uuid gets the lowest free instance, recorded in
 * vtpm.db (not in open.list), its vtpmd starts, and "instance" appears
 * only once that vtpmd runs. */
static void xs_new_device_opens_instance(void **state)
{
	(void)state;
	guest_add(3, UA);
	pump();
	assert_int_equal(starts, 1);
	assert_non_null(inst(1));
	assert_true(inst(1)->open);
	assert_true(inst(1)->xs_managed);
	assert_string_equal(inst(1)->uuid, UA);
	assert_string_equal(inst(1)->domain, "guest3");
	assert_int_equal(last_mode, VTPM_STARTUP_CLEAR);
	assert_int_equal(last_vm, VTPM_VM_PV);
	assert_true(db_has(UA, 1));
	assert_string_equal(slurp("open.list"), "");
	assert_null(get(BE "/3/0/instance"));
	vtpmd_up(1);
	assert_string_equal(get(BE "/3/0/instance"), "1");
	/* Our own write fires the watch again: nothing else happens. */
	pump();
	assert_int_equal(starts, 1);
	assert_int_equal(fx.writes, 1);
}

/* Existing vtpm.db entries keep their instance; new uuids get the
 * lowest free one. */
static void xs_db_mapping_and_lowest_free(void **state)
{
	FILE *f;
	char path[128];

	(void)state;
	mgr_exit();
	snprintf(path, sizeof(path), "%s/vtpm.db", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# test\n" UC " 1\n" UB " 3\n");
	fclose(f);
	mgr_start();
	guest_add(4, UA);
	guest_add(5, UB);
	fx.hvm[5] = true;
	pump();
	assert_string_equal(inst(2)->uuid, UA);
	assert_string_equal(inst(3)->uuid, UB);
	assert_false(inst(1)->open);
	assert_int_equal(last_vm, VTPM_VM_HVM);
	vtpmd_up(2);
	vtpmd_up(3);
	assert_string_equal(get(BE "/4/0/instance"), "2");
	assert_string_equal(get(BE "/5/0/instance"), "3");
	assert_true(db_has(UC, 1) && db_has(UA, 2) && db_has(UB, 3));
}

/* A uuid that is not canonical is refused: no instance, no vtpm.db line,
 * nothing written into xenstore. */
static void xs_hostile_uuid_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"0c7b1c6e",
		"0c7b1c6e-4f0f-4a53-9d3b-2a1e7c1b5d0",		/* 35 */
		"0c7b1c6e-4f0f-4a53-9d3b-2a1e7c1b5d011",	/* 37 */
		"0c7b1c6e04f0f-4a53-9d3b-2a1e7c1b5d01",		/* dash */
		"0c7b1c6g-4f0f-4a53-9d3b-2a1e7c1b5d01",		/* not hex */
		"0c7b1c6e-4f0f-4a53-9d3b-2a1e7c1b5d0\n",
		"../../../../../../../../etc/passwd00",
		"0c7b1c6e 4f0f 4a53 9d3b 2a1e7c1b5d01",
		"0c7b1c6e-4f0f-4a53-9d3b-2a1e7c1b5d01 # x",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		guest_add(10 + i, bad[i]);
	/* A NUL inside the value (36 bytes, libxenstore gives the length). */
	guest_add_keys(30, 0, NULL, false);
	fx_set_len(BE "/30/0/uuid", UA "\0" "xx", 39);
	pump();
	assert_int_equal(starts, 0);
	assert_int_equal(M->ninst, 0);
	assert_int_equal(fx.writes, 0);
	assert_string_equal(slurp("vtpm.db"), "");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(get(BE "/%u/0/instance", 10 + i));
}

/* No uuid yet: refused; the uuid written later: served. */
static void xs_missing_uuid_then_written(void **state)
{
	(void)state;
	guest_add_keys(3, 0, NULL, false);
	pump();
	assert_int_equal(starts, 0);
	setf(UA, BE "/3/0/uuid");
	pump();
	assert_int_equal(starts, 1);
	vtpmd_up(1);
	assert_string_equal(get(BE "/3/0/instance"), "1");
}

/* pref_instance: used when free; refused when another vTPM has it or it
 * is not a decimal 1..65535; the uuid's own instance wins over it. */
static void xs_pref_instance(void **state)
{
	static const char *const bad[] = { "0", "65536", "abc", "07", "-1",
					   "1 ", "", "4294967297" };
	unsigned int i;

	(void)state;
	guest_add_keys(3, 0, NULL, false);
	setf("7", BE "/3/0/pref_instance");
	setf(UA, BE "/3/0/uuid");
	pump();
	assert_non_null(inst(7));
	assert_string_equal(inst(7)->uuid, UA);
	assert_true(db_has(UA, 7));

	guest_add_keys(4, 0, NULL, false);
	setf("7", BE "/4/0/pref_instance");
	setf(UB, BE "/4/0/uuid");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		guest_add_keys(20 + i, 0, NULL, false);
		setf(bad[i], BE "/%u/0/pref_instance", 20 + i);
		setf(UC, BE "/%u/0/uuid", 20 + i);
	}
	pump();
	assert_int_equal(starts, 1);
	assert_int_equal(M->ninst, 1);
	assert_false(db_has(UB, 7));

	/* A's next boot asks for 9: its instance stays 7. */
	guest_destroy(3);
	pump();
	guest_add_keys(5, 0, NULL, false);
	setf("9", BE "/5/0/pref_instance");
	setf(UA, BE "/5/0/uuid");
	pump();
	assert_null(inst(9));
	assert_true(inst(7)->open);
	assert_int_equal(starts, 2);
}

/* resume: True/1 start the vtpmd with "save", False/0 with "clear";
 * anything else is refused. */
static void xs_resume_modes(void **state)
{
	static const struct { const char *v; int mode; } c[] = {
		{ "True", VTPM_STARTUP_SAVE }, { "1", VTPM_STARTUP_SAVE },
		{ "False", VTPM_STARTUP_CLEAR }, { "0", VTPM_STARTUP_CLEAR },
		{ "yes", -1 }, { "", -1 }, { "True ", -1 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		unsigned int before = starts;
		char uuid[40];

		snprintf(uuid, sizeof(uuid), "%08x-4f0f-4a53-9d3b-2a1e7c1b5d01",
			 i);
		guest_add(10 + i, uuid);
		setf(c[i].v, BE "/%u/0/resume", 10 + i);
		pump();
		if (c[i].mode < 0) {
			assert_int_equal(starts, before);
		} else {
			assert_int_equal(starts, before + 1);
			assert_int_equal(last_mode, c[i].mode);
		}
	}
}

/* Two devices with the same uuid: the second is refused, never shares the
 * instance; once the first is gone, the second gets it. */
static void xs_same_uuid_twice(void **state)
{
	(void)state;
	guest_add(3, UA);
	guest_add(4, UA);
	pump();
	assert_int_equal(starts, 1);
	vtpmd_up(1);
	assert_string_equal(get(BE "/3/0/instance"), "1");
	assert_null(get(BE "/4/0/instance"));
	assert_string_equal(inst(1)->domain, "guest3");

	guest_destroy(3);
	pump();
	assert_int_equal(stops, 1);
	/* Domain 4's directory changes (tpmbk's InitWait): served now. */
	setf("2", BE "/4/0/state");
	pump();
	assert_int_equal(starts, 2);
	vtpmd_up(1);
	assert_string_equal(get(BE "/4/0/instance"), "1");
	assert_string_equal(inst(1)->domain, "guest4");
}

/* The frontend closes: the vtpmd is stopped, the instance and its
 * vtpm.db line stay; the frontend starting again relaunches it. */
static void xs_frontend_closed_then_reopened(void **state)
{
	(void)state;
	guest_add(3, UA);
	pump();
	vtpmd_up(1);
	setf("5", "/local/domain/3/device/vtpm/0/state");
	pump();
	assert_int_equal(stops, 1);
	assert_false(inst(1)->open);
	assert_int_equal(inst(1)->state, INST_STOPPED);
	assert_true(db_has(UA, 1));
	setf("6", "/local/domain/3/device/vtpm/0/state");
	pump();
	assert_int_equal(stops, 1);
	assert_int_equal(starts, 1);
	/* Garbage from the guest is no state at all: not a close. */
	setf("1", "/local/domain/3/device/vtpm/0/state");
	pump();
	assert_int_equal(starts, 2);
	setf("5x", "/local/domain/3/device/vtpm/0/state");
	setf("99999999999", "/local/domain/3/device/vtpm/0/state");
	pump();
	assert_int_equal(stops, 1);
	assert_true(inst(1)->open);
}

/* libxl's detach sets the backend to Closing: stopped. */
static void xs_backend_closing(void **state)
{
	(void)state;
	guest_add(3, UA);
	pump();
	vtpmd_up(1);
	setf("5", BE "/3/0/state");
	pump();
	assert_int_equal(stops, 1);
	assert_false(inst(1)->open);
}

/* The directory is removed (destroy, reboot): stopped and forgotten; the
 * same uuid in the next domain gets the same instance back. */
static void xs_dir_removed_then_reboot(void **state)
{
	(void)state;
	guest_add(3, UA);
	pump();
	vtpmd_up(1);
	assert_int_equal(fx.nw, 3);	/* root, @releaseDomain, frontend */
	guest_destroy(3);
	pump();
	assert_int_equal(stops, 1);
	assert_int_equal(fx.nw, 2);
	assert_false(inst(1)->open);
	guest_add(8, UA);
	pump();
	assert_int_equal(starts, 2);
	assert_true(inst(1)->open);
	assert_int_equal(M->ninst, 1);
	vtpmd_up(1);
	assert_string_equal(get(BE "/8/0/instance"), "1");
}

/* The domain disappears with its directory left behind: @releaseDomain
 * stops the vtpmd, and so does the poll when that event never comes. */
static void xs_domain_gone(void **state)
{
	(void)state;
	guest_add(3, UA);
	guest_add(4, UB);
	pump();
	vtpmd_up(1);
	vtpmd_up(2);
	fx.alive[3] = false;
	fx_event("@releaseDomain", "vtpm-release");
	pump();
	assert_int_equal(stops, 1);
	assert_false(inst(1)->open);
	assert_true(inst(2)->open);

	fx.alive[4] = false;
	assert_true(xs_next_deadline(M) > now_ms);
	now_ms = xs_next_deadline(M) - 1;
	pump();
	assert_int_equal(stops, 1);
	now_ms++;
	pump();
	assert_int_equal(stops, 2);
	assert_false(inst(2)->open);
	/* Nothing served: no timer. */
	assert_int_equal(xs_next_deadline(M), 0);
}

/* A manager restart with the guest running: the device is re-adopted
 * (vtpmd started again, "instance" kept or written again). */
static void xs_restart_readopts(void **state)
{
	(void)state;
	guest_add(3, UA);
	guest_add(4, UB);
	pump();
	vtpmd_up(1);
	vtpmd_up(2);
	assert_int_equal(fx.writes, 2);
	mgr_exit();
	fx_rm(BE "/4/0/instance");
	mgr_start();
	assert_int_equal(starts, 4);
	assert_true(inst(1)->open && inst(1)->xs_managed);
	vtpmd_up(1);
	vtpmd_up(2);
	assert_int_equal(fx.writes, 3);		/* only the missing one */
	assert_string_equal(get(BE "/3/0/instance"), "1");
	assert_string_equal(get(BE "/4/0/instance"), "2");
}

/* A guest that went away while the manager was down is not relaunched
 * (open.list never lists xenstore instances). */
static void xs_restart_guest_gone_meanwhile(void **state)
{
	(void)state;
	guest_add(3, UA);
	pump();
	vtpmd_up(1);
	mgr_exit();
	guest_destroy(3);
	mgr_start();
	assert_int_equal(starts, 1);
	assert_false(inst(1)->open);
	assert_true(db_has(UA, 1));
}

/* A transaction conflict: "instance" is written on the retry. */
static void xs_write_retried_after_conflict(void **state)
{
	(void)state;
	guest_add(3, UA);
	pump();
	fx.write_eagain = 1;
	vtpmd_up(1);
	assert_null(get(BE "/3/0/instance"));
	assert_true(xs_next_deadline(M) > now_ms);
	pump();
	assert_null(get(BE "/3/0/instance"));
	now_ms = xs_next_deadline(M);
	pump();
	assert_string_equal(get(BE "/3/0/instance"), "1");

	/* The uuid check failed, yet the uuid reads the same afterwards
	 * (changed and changed back): retried as well. */
	guest_add(4, UB);
	pump();
	fx.write_enoent = 1;
	vtpmd_up(2);
	assert_null(get(BE "/4/0/instance"));
	assert_true(inst(2)->open);
	now_ms = xs_next_deadline(M);
	pump();
	assert_string_equal(get(BE "/4/0/instance"), "2");
}

/* The directory disappears before the vtpmd runs: our write does not
 * recreate it; recreated for another uuid, that uuid gets its own
 * instance, never this one. */
static void xs_no_write_into_removed_dir(void **state)
{
	(void)state;
	guest_add(3, UA);
	pump();
	fx_rm(BE "/3");
	inst(1)->state = INST_RUNNING;
	/* The tick before the event is read: the write must not land. */
	xs_tick(M);
	assert_null(get(BE "/3/0"));
	pump();
	assert_null(get(BE "/3/0"));
	assert_int_equal(stops, 1);

	guest_add(5, UA);
	pump();
	fx_rm(BE "/5/0/uuid");
	setf(UB, BE "/5/0/uuid");
	inst(1)->state = INST_RUNNING;
	xs_tick(M);
	assert_null(get(BE "/5/0/instance"));
	pump();
	assert_false(inst(1)->open);
	vtpmd_up(2);
	assert_string_equal(get(BE "/5/0/instance"), "2");
}

/* frontend-id and frontend must name the directory's own domain. */
static void xs_hostile_frontend_keys(void **state)
{
	(void)state;
	guest_add(3, UA);
	setf("7", BE "/3/0/frontend-id");
	guest_add(4, UB);
	setf("/local/domain/0/device/vtpm/0", BE "/4/0/frontend");
	guest_add(5, UC);
	setf("/local/domain/5/device/vtpm/0/../../../../0", BE "/5/0/frontend");
	pump();
	assert_int_equal(starts, 0);
	assert_int_equal(fx.nw, 2);	/* no watch on a hostile path */
}

/* Names under the backend root that are not domain / device ids. */
static void xs_junk_names_ignored(void **state)
{
	(void)state;
	setf(UA, BE "/abc/0/uuid");
	setf(UA, BE "/007/0/uuid");
	setf(UA, BE "/3/x/uuid");
	setf(UA, BE "/99999/0/uuid");
	setf(UA, BE "/3/123456789012345678901234567890/uuid");
	setf("", BE "/3");
	pump();
	assert_int_equal(starts, 0);
	assert_int_equal(M->ninst, 0);
}

/* An uppercase uuid is the same vTPM as its lowercase vtpm.db entry, and
 * the stored spelling (bound into the sealed state) is kept. */
static void xs_uuid_case(void **state)
{
	char upper[40];
	size_t i;

	(void)state;
	guest_add(3, UA);
	pump();
	vtpmd_up(1);
	guest_destroy(3);
	pump();
	for (i = 0; i <= strlen(UA); i++)
		upper[i] = (char)(UA[i] >= 'a' && UA[i] <= 'f' ?
				  UA[i] - 32 : UA[i]);
	guest_add(6, upper);
	pump();
	assert_int_equal(M->ninst, 1);
	assert_string_equal(inst(1)->uuid, UA);
	vtpmd_up(1);
	assert_string_equal(get(BE "/6/0/instance"), "1");
}

/* An instance deleted by the administrator while its number is still in
 * a live device's directory is not handed to another uuid. */
static void xs_named_instance_not_reused(void **state)
{
	(void)state;
	guest_add(3, UA);
	pump();
	vtpmd_up(1);
	/* vtpmctl delete 1 (console.c do_close). */
	inst(1)->open = false;
	inst_remove(M, inst(1));
	assert_int_equal(db_save(M), 0);
	guest_add(4, UB);
	pump();
	assert_null(inst(1));
	assert_int_equal(starts, 1);
	guest_destroy(3);
	pump();
	setf("2", BE "/4/0/state");
	pump();
	assert_int_equal(starts, 2);
	assert_string_equal(inst(1)->uuid, UB);
}

/* An instance the administrator opened (open.list) and a guest then uses
 * belongs to the guest: out of open.list, stopped when it goes. */
static void xs_admin_opened_instance_taken_over(void **state)
{
	uint32_t id;
	bool created;

	(void)state;
	assert_int_equal(db_bind_uuid(M, UA, 0, &id, &created), 0);
	assert_true(created);
	inst(id)->open = true;
	assert_int_equal(db_save(M), 0);
	assert_string_equal(slurp("open.list"), "1\n");
	guest_add(3, UA);
	pump();
	assert_true(inst(1)->xs_managed);
	assert_string_equal(slurp("open.list"), "");
	guest_destroy(3);
	pump();
	assert_false(inst(1)->open);
}

/* Many guests at once: each its own instance and key; half go away. */
static void xs_many_devices(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 1; i < 40; i++) {
		char uuid[40];

		snprintf(uuid, sizeof(uuid), "%08x-4f0f-4a53-9d3b-2a1e7c1b5d01",
			 i);
		guest_add(i, uuid);
	}
	pump();
	assert_int_equal(starts, 39);
	for (i = 1; i < 40; i++)
		vtpmd_up(i);
	for (i = 1; i < 40; i++)
		assert_non_null(get(BE "/%u/0/instance", i));
	for (i = 1; i < 40; i += 2)
		guest_destroy(i);
	pump();
	assert_int_equal(stops, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(xs_new_device_opens_instance),
		T(xs_db_mapping_and_lowest_free),
		T(xs_hostile_uuid_refused),
		T(xs_missing_uuid_then_written),
		T(xs_pref_instance),
		T(xs_resume_modes),
		T(xs_same_uuid_twice),
		T(xs_frontend_closed_then_reopened),
		T(xs_backend_closing),
		T(xs_dir_removed_then_reboot),
		T(xs_domain_gone),
		T(xs_restart_readopts),
		T(xs_restart_guest_gone_meanwhile),
		T(xs_write_retried_after_conflict),
		T(xs_no_write_into_removed_dir),
		T(xs_hostile_frontend_keys),
		T(xs_junk_names_ignored),
		T(xs_uuid_case),
		T(xs_named_instance_not_reused),
		T(xs_admin_opened_instance_taken_over),
		T(xs_many_devices),
#undef T
	};

	log_init("xenstore_test", 1, 0);
	return cmocka_run_group_tests_name("xenstore", tests, NULL, NULL);
}
