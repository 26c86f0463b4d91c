// SPDX-License-Identifier: GPL-2.0
/*
 * Replays a fuzz corpus without a fuzzing engine (make check): every file
 * under the given directories goes through LLVMFuzzerTestOneInput() on a
 * freshly reset state.  Prints TAP; a sanitizer report aborts the run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_reset(void);

/* Largest corpus file replayed (libFuzzer's default -max_len is 4096). */
#define REPLAY_MAX_FILE	(1U << 20)

static int replay_file(const char *path)
{
	static uint8_t buf[REPLAY_MAX_FILE];
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		printf("not ok - %s: cannot open\n", path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fuzz_reset();
	LLVMFuzzerTestOneInput(buf, n);
	printf("ok - %s\n", path);
	return 0;
}

static int replay_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int i, n, bad = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		printf("not ok - %s: cannot read directory\n", dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				bad |= replay_dir(path);
			else
				bad |= replay_file(path);
		}
		free(names[i]);
	}
	free(names);
	return bad;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++)
		bad |= replay_dir(argv[i]);
	return bad;
}
