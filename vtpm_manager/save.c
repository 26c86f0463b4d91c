// SPDX-License-Identifier: GPL-2.0
/*
 * Save workers: sealing a state blob and writing it durably (fsync of the
 * file and of its directory) can take milliseconds to seconds on a slow
 * disk, so it runs on worker threads, never on the event loop; a finished
 * save is reported through an eventfd, and only then is the generation
 * index rewritten (seal_index_flush()).  Each instance has at most one
 * save in flight (its vtpmd waits for the answer), so saves of one
 * instance stay in order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

/* Concurrent saves (different instances) on different disks' worth. */
#define SAVE_WORKERS	4U

struct save_job {
	struct save_job *next;
	uint32_t instance;
	char uuid[VTPM_MAX_UUID + 1];
	uint8_t *blob;
	size_t len;
	int err;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct save_job *todo, *done;
	pthread_t threads[SAVE_WORKERS];
	unsigned int nthreads;
	bool quit;
	struct mgr *m;
} sw = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void *worker(void *arg)
{
	struct save_job *j, **tail;
	uint64_t one = 1;

	(void)arg;
	pthread_mutex_lock(&sw.lock);
	for (;;) {
		while (!sw.todo && !sw.quit)
			pthread_cond_wait(&sw.cond, &sw.lock);
		if (!sw.todo)
			break;
		j = sw.todo;
		sw.todo = j->next;
		pthread_mutex_unlock(&sw.lock);
		j->err = seal_state_store(sw.m->seal, j->instance, j->uuid,
					  j->blob, j->len);
		explicit_bzero(j->blob, j->len);
		free(j->blob);
		j->blob = NULL;
		pthread_mutex_lock(&sw.lock);
		for (tail = &sw.done; *tail; tail = &(*tail)->next)
			;
		j->next = NULL;
		*tail = j;
		if (write(sw.m->save_done_fd, &one, sizeof(one)) < 0)
			log_warn("save eventfd");
		/* The guest has its answer; the rollback index follows. */
		pthread_mutex_unlock(&sw.lock);
		seal_index_flush(sw.m->seal, false);
		pthread_mutex_lock(&sw.lock);
	}
	pthread_mutex_unlock(&sw.lock);
	return NULL;
}

int save_init(struct mgr *m)
{
	unsigned int i;
	int err;

	m->save_done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (m->save_done_fd < 0)
		return -errno;
	sw.m = m;
	for (i = 0; i < SAVE_WORKERS; i++) {
		err = pthread_create(&sw.threads[i], NULL, worker, NULL);
		if (err)
			return -err;
		sw.nthreads++;
	}
	return 0;
}

void save_fini(struct mgr *m)
{
	unsigned int i;

	pthread_mutex_lock(&sw.lock);
	sw.quit = true;
	pthread_cond_broadcast(&sw.cond);
	pthread_mutex_unlock(&sw.lock);
	/* Workers finish the saves already queued before they exit: a save
	 * a vtpmd is waiting for is never dropped. */
	for (i = 0; i < sw.nthreads; i++)
		pthread_join(sw.threads[i], NULL);
	sw.nthreads = 0;
	save_collect(m);
	if (m->save_done_fd >= 0)
		close(m->save_done_fd);
	m->save_done_fd = -1;
}

int save_submit(struct mgr *m, uint32_t instance, uint8_t *blob,
		size_t len)
{
	struct instance *in = inst_find(m, instance);
	struct save_job *j, **tail;

	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->instance = instance;
	if (in)
		memcpy(j->uuid, in->uuid, sizeof(j->uuid));
	j->blob = blob;
	j->len = len;
	pthread_mutex_lock(&sw.lock);
	for (tail = &sw.todo; *tail; tail = &(*tail)->next)
		;
	*tail = j;
	pthread_cond_signal(&sw.cond);
	pthread_mutex_unlock(&sw.lock);
	return 0;
}

void save_collect(struct mgr *m)
{
	struct save_job *list, *j;
	uint64_t n;

	if (m->save_done_fd >= 0 &&
	    read(m->save_done_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("save eventfd");
	pthread_mutex_lock(&sw.lock);
	list = sw.done;
	sw.done = NULL;
	pthread_mutex_unlock(&sw.lock);
	while ((j = list)) {
		list = j->next;
		inst_save_finished(m, j->instance, j->err);
		free(j);
	}
}
