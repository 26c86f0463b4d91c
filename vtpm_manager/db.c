// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm.db (classic format: "# comment" lines, then "<uuid-or-name>
 * <instance>" per line) and open.list (the instances that should run, one
 * number per line, so a restarted manager relaunches them).  Both are
 * rewritten whole and atomically; both are parsed only here.  Instances
 * opened for a xenstore device are not in open.list: they run while their
 * guest does, and a restarted manager finds them again in xenstore.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "atomic.h"
#include "log.h"
#include "manager.h"

/* Name used in vtpm.db for an instance opened without a uuid. */
#define DB_ANON_PREFIX	"instance-"
/* Bytes of one vtpm.db line we accept. */
#define DB_LINE_MAX	(VTPM_MAX_UUID + 32)

static int db_path(char *buf, size_t cap, const char *root, const char *f)
{
	int n = snprintf(buf, cap, "%s/%s", root, f);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static bool valid_key(const char *k)
{
	size_t i, n = strlen(k);

	if (!n || n > VTPM_MAX_UUID)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) && !strchr("-_.:", k[i]))
			return false;
	return true;
}

static bool parse_instance(const char *s, uint32_t *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || (*end && *end != '\n') || n == 0 ||
	    n > VTPM_MAX_INSTANCE)
		return false;
	*v = (uint32_t)n;
	return true;
}

static int load_db(struct mgr *m)
{
	/* key holds what "%64s" reads: at most VTPM_MAX_UUID characters. */
	char path[PATH_MAX], line[DB_LINE_MAX], key[VTPM_MAX_UUID + 1];
	char num[DB_LINE_MAX];
	struct instance *in;
	unsigned int lineno = 0;
	uint32_t id;
	FILE *f;

	if (db_path(path, sizeof(path), m->cfg.root, "vtpm.db"))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%64s %20s", key, num) != 2 ||
		    !valid_key(key) || !parse_instance(num, &id) ||
		    inst_find(m, id)) {
			log_warnx("%s:%u: ignoring a malformed line", path,
				  lineno);
			continue;
		}
		in = inst_get(m, id);
		if (!in) {
			fclose(f);
			return -ENOMEM;
		}
		if (strncmp(key, DB_ANON_PREFIX, strlen(DB_ANON_PREFIX)))
			snprintf(in->uuid, sizeof(in->uuid), "%s", key);
	}
	fclose(f);
	return 0;
}

static int load_open(struct mgr *m)
{
	char path[PATH_MAX], line[32];
	struct instance *in;
	uint32_t id;
	FILE *f;

	if (db_path(path, sizeof(path), m->cfg.root, "open.list"))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!parse_instance(line, &id))
			continue;
		in = inst_find(m, id);
		if (in)
			in->open = true;
	}
	fclose(f);
	return 0;
}

int db_load(struct mgr *m)
{
	int err = load_db(m);

	return err ? err : load_open(m);
}

/*
 * Write *buf to path atomically and durably unless it is byte for byte what
 * this manager last wrote there.  Each write costs two fsyncs on the event
 * loop, and most opens and closes change only one of the two files.  On
 * success the buffer moves into *last (and *buf becomes NULL).
 */
static int db_write_changed(const char *path, char **buf, size_t len,
			    struct db_written *last)
{
	int err;

	if (last->buf && last->len == len && !memcmp(last->buf, *buf, len))
		return 0;
	err = atomic_write_file(path, *buf, len, 0600);
	if (err)
		return err;
	free(last->buf);
	last->buf = *buf;
	last->len = len;
	*buf = NULL;
	return 0;
}

int db_save(struct mgr *m)
{
	char path[PATH_MAX];
	size_t cap = 128 + m->ninst * (DB_LINE_MAX + 2), len, olen = 0, i;
	char *db, *open_list;
	int err;

	db = malloc(cap);
	open_list = malloc(m->ninst * 12 + 1);
	if (!db || !open_list) {
		err = -ENOMEM;
		goto out_free;
	}
	len = (size_t)snprintf(db, cap, "# vtpm.db: <uuid-or-name> <instance>"
			       "\n");
	open_list[0] = '\0';
	for (i = 0; i < m->ninst; i++) {
		struct instance *in = m->inst[i];

		if (in->uuid[0])
			len += (size_t)snprintf(db + len, cap - len, "%s %u\n",
						in->uuid, in->id);
		else
			len += (size_t)snprintf(db + len, cap - len,
						DB_ANON_PREFIX "%u %u\n",
						in->id, in->id);
		if (in->open && !in->xs_managed)
			olen += (size_t)sprintf(open_list + olen, "%u\n",
						in->id);
	}
	err = db_path(path, sizeof(path), m->cfg.root, "vtpm.db");
	if (!err)
		err = db_write_changed(path, &db, len, &m->db_last);
	if (!err)
		err = db_path(path, sizeof(path), m->cfg.root, "open.list");
	if (!err)
		err = db_write_changed(path, &open_list, olen, &m->open_last);
	if (err)
		log_warnx("cannot write vtpm.db/open.list: %s",
			  strerror(-err));
out_free:
	free(db);
	free(open_list);
	return err;
}

void db_fini(struct mgr *m)
{
	free(m->db_last.buf);
	free(m->open_last.buf);
	m->db_last = (struct db_written){ 0 };
	m->open_last = (struct db_written){ 0 };
}

uint32_t db_lookup_uuid(struct mgr *m, const char *uuid)
{
	size_t i;

	for (i = 0; uuid[0] && i < m->ninst; i++)
		if (!strcmp(m->inst[i]->uuid, uuid))
			return m->inst[i]->id;
	return 0;
}

int db_bind_uuid(struct mgr *m, const char *uuid, uint32_t pref,
		 uint32_t *id, bool *created)
{
	struct instance *in;
	uint32_t n = 0;
	size_t i;

	/* A uuid's hex digits may be written in either case; the stored
	 * spelling stays, since the sealed state is bound to it. */
	for (i = 0; i < m->ninst; i++)
		if (!strcasecmp(m->inst[i]->uuid, uuid)) {
			*id = m->inst[i]->id;
			*created = false;
			return 0;
		}
	if (!valid_key(uuid) || pref > VTPM_MAX_INSTANCE)
		return -EINVAL;
	if (pref) {
		if (inst_find(m, pref))
			return -EEXIST;
		n = pref;
	} else {
		n = db_alloc_instance(m, 0);
		if (!n)
			return -ENOSPC;
	}
	in = inst_get(m, n);
	if (!in)
		return -ENOMEM;
	snprintf(in->uuid, sizeof(in->uuid), "%s", uuid);
	*id = n;
	*created = true;
	return 0;
}

uint32_t db_alloc_instance(struct mgr *m, uint32_t pref)
{
	uint32_t id;

	if (pref && pref <= VTPM_MAX_INSTANCE && !inst_find(m, pref))
		return pref;
	/* O(n log n) over the sorted table; n <= VTPM_MAX_INSTANCE. */
	for (id = 1; id <= VTPM_MAX_INSTANCE; id++)
		if (!inst_find(m, id))
			return id;
	return 0;
}
