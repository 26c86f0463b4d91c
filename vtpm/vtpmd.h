/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtpmd's one private header: one vTPM (the engine) behind its FIFOs.
 * vtpmd never touches disk: its state goes to the manager (store.c).
 */
#ifndef VTPMD_H
#define VTPMD_H

#include <stddef.h>
#include <stdint.h>

#include "vtpm_ipc.h"

/* The four FIFOs of one instance (docs/protocol.md). */
struct vtpmd_fifos {
	int cmd_in;	/* tpm_cmd_to_<N>.fifo: guest requests */
	int rsp_out;	/* tpm_rsp_from_all.fifo: guest responses */
	int nvm_out;	/* vtpm_cmd_from_all.fifo: SAVENVM/LOADNVM */
	int nvm_in;	/* vtpm_rsp_to_<N>.fifo: their answers */
};

/* io.c */
int vtpmd_fifos_open(struct vtpmd_fifos *f, const char *root,
		     uint32_t instance);
void vtpmd_fifos_close(struct vtpmd_fifos *f);
/* Read one whole frame (prefix + packet <= @cap) from a FIFO: 0, -EPIPE
 * at EOF (the manager is gone), -EBADMSG when malformed, or -errno.  For
 * the manager's answers (vtpm_rsp_to_<N>); guest requests come through a
 * struct vtpm_stream. */
int vtpmd_read_frame(int fd, uint8_t *buf, size_t cap, size_t *len);
/* Read exactly @n bytes: 0, -EPIPE at EOF, or -errno. */
int vtpmd_read_exact(int fd, uint8_t *buf, size_t n);
/* Write all of @len bytes in one write() (atomic when <= PIPE_BUF). */
int vtpmd_write_all(int fd, const uint8_t *buf, size_t len);

/* store.c: state through the manager */
/* LOADNVM: *blob malloc()ed, *len 0 for a new instance; -EACCES when the
 * manager refuses (state exists but cannot be restored). */
int vtpmd_load_state(struct vtpmd_fifos *f, uint32_t instance,
		     uint8_t **blob, size_t *len);
/* SAVENVM in chunks; returns once the manager acknowledged a durable
 * save (0) or refused it (-EIO). */
int vtpmd_save_state(struct vtpmd_fifos *f, uint32_t instance,
		     const uint8_t *blob, size_t len);

#endif /* VTPMD_H */
