// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the sealed-state loader (vtpm_manager/seal.c,
 * seal_state_load()): the one parser of <root>/instances/<N>.state.
 * A fuzzer cannot forge an AES-GCM tag, so besides raw files an input can
 * ask for a genuine file (stored by seal_state_store() under a fixed test
 * key) that is then mutated or loaded as another instance or uuid; the
 * checks behind the authentication are reached that way.
 *
 * Input: u8 mode, then
 *   mode even: the bytes of instances/1.state, loaded as instance 1.
 *   mode odd:  u8 store instance (1..4), u8 load instance (1..4), u8 n,
 *              n bytes of uuid, u16 m, m bytes of blob, then any number of
 *              (u16 offset, u8 xor) applied to the stored file; a final
 *              odd mode bit 1 loads with the uuid's first byte changed.
 * Every load must return 0, -ENOENT or -EBADMSG (with a reason), and a
 * refused file must be left byte-identical.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "log.h"
#include "manager.h"
#include "marshal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_reset(void);
int seal_open_test_key(struct seal **spp, const char *root,
		       const uint8_t key[VTPM_MASTER_KEY_SIZE]);

#define FUZZ_INSTANCES	4U
/* Mutations applied per input (keeps each run bounded). */
#define FUZZ_MAX_XORS	64U

/* The fixed master key of the corpus (tests/fuzz/corpus_sealed). */
static const uint8_t fuzz_key[VTPM_MASTER_KEY_SIZE] =
	"vtpm fuzz_sealed fixed key 0001";

static struct seal *fuzz_seal;
static char fuzz_root[64];

/* Leave nothing behind in /dev/shm or /tmp. */
static void remove_root(void)
{
	char path[128];

	fuzz_reset();
	seal_close(fuzz_seal);
	fuzz_seal = NULL;
	snprintf(path, sizeof(path), "%s/instances/generations", fuzz_root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/instances", fuzz_root);
	rmdir(path);
	rmdir(fuzz_root);
}

static void make_seal(void)
{
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

	log_init("fuzz_sealed", 1, 0);
	snprintf(fuzz_root, sizeof(fuzz_root), "%s/fuzz_sealed.XXXXXX", base);
	if (!mkdtemp(fuzz_root) ||
	    seal_open_test_key(&fuzz_seal, fuzz_root, fuzz_key))
		abort();
	atexit(remove_root);
}

/* No state files and no generations: every input starts alike. */
void fuzz_reset(void)
{
	uint32_t i;

	if (!fuzz_seal)
		make_seal();
	for (i = 1; i <= FUZZ_INSTANCES; i++)
		if (seal_state_delete(fuzz_seal, i))
			abort();
}

static void state_path(char *buf, size_t cap, uint32_t instance)
{
	snprintf(buf, cap, "%s/instances/%u.state", fuzz_root, instance);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	uint8_t *buf = NULL;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && (buf = malloc((size_t)st.st_size + 1)) &&
	    read(fd, buf, (size_t)st.st_size) != st.st_size)
		abort();
	*len = (size_t)st.st_size;
	close(fd);
	return buf;
}

/* Load and check the contract; a refused file must be unchanged. */
static void load_check(uint32_t instance, const char *uuid)
{
	uint8_t *before, *after, *blob = NULL;
	size_t blen = 0, alen = 0, len = 0;
	char path[128];
	const char *why = NULL;
	int err;

	state_path(path, sizeof(path), instance);
	before = read_all(path, &blen);
	err = seal_state_load(fuzz_seal, instance, uuid, &blob, &len, &why);
	if (!err) {
		free(blob);
	} else if (err == -EBADMSG) {
		if (!why)
			abort();
		after = read_all(path, &alen);
		if ((before == NULL) != (after == NULL) ||
		    (before && (alen != blen || memcmp(before, after, blen))))
			abort();
		free(after);
	} else if (err != -ENOENT) {
		abort();
	}
	free(before);
}

static void raw_file(struct tpm_buf *in)
{
	char path[128];

	state_path(path, sizeof(path), 1);
	if (atomic_write_file(path, tb_cursor(in), tb_remaining(in), 0600))
		abort();
	load_check(1, "fuzz-uuid");
}

static void stored_file(struct tpm_buf *in, uint8_t mode)
{
	uint8_t store_inst, load_inst, n, *file, x;
	char uuid[VTPM_MAX_UUID + 1], path[128];
	const uint8_t *u, *blob;
	uint16_t m, off;
	unsigned int i;
	size_t flen;

	if (tb_get_u8(in, &store_inst) || tb_get_u8(in, &load_inst) ||
	    tb_get_u8(in, &n) || n > VTPM_MAX_UUID || tb_get_ref(in, &u, n) ||
	    tb_get_u16(in, &m) || tb_get_ref(in, &blob, m))
		return;
	memcpy(uuid, u, n);
	uuid[n] = '\0';
	if (strlen(uuid) != n)
		return;
	store_inst = (uint8_t)(store_inst % FUZZ_INSTANCES + 1);
	load_inst = (uint8_t)(load_inst % FUZZ_INSTANCES + 1);
	if (seal_state_store(fuzz_seal, store_inst, uuid, blob, m))
		abort();
	state_path(path, sizeof(path), store_inst);
	file = read_all(path, &flen);
	if (!file)
		abort();
	for (i = 0; i < FUZZ_MAX_XORS && !tb_get_u16(in, &off) &&
		    !tb_get_u8(in, &x); i++)
		if (flen)
			file[off % flen] ^= x;
	if (i && atomic_write_file(path, file, flen, 0600))
		abort();
	free(file);
	if ((mode & 2) && n)
		uuid[0] ^= 0x20;
	load_check(load_inst, uuid);
	if (load_inst != store_inst)
		load_check(store_inst, uuid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpm_buf in;
	uint8_t mode;

	fuzz_reset();
	tb_init_read(&in, data, size);
	if (tb_get_u8(&in, &mode))
		return 0;
	if (mode & 1)
		stored_file(&in, mode);
	else
		raw_file(&in);
	return 0;
}
