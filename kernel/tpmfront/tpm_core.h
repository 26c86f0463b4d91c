/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tpm_core.h - the part of the TPM core's driver interface tpm_xenu uses.
 *
 * In the kernel tree these prototypes live in drivers/char/tpm/tpm.h, which
 * Debian's linux-headers package does not ship, so an out-of-tree TPM driver
 * has to declare them itself.  Every symbol here is EXPORT_SYMBOL_GPL in
 * Linux 6.1 (checked against Module.symvers); the signatures are those of
 * 6.1's drivers/char/tpm/tpm.h and must be kept identical to them.
 */
#ifndef TPMFRONT_TPM_CORE_H
#define TPMFRONT_TPM_CORE_H

#include <linux/tpm.h>

struct tpm_chip *tpmm_chip_alloc(struct device *pdev,
				 const struct tpm_class_ops *ops);
int tpm_chip_register(struct tpm_chip *chip);
void tpm_chip_unregister(struct tpm_chip *chip);
int tpm_get_timeouts(struct tpm_chip *chip);
unsigned long tpm_calc_ordinal_duration(struct tpm_chip *chip, u32 ordinal);

#endif /* TPMFRONT_TPM_CORE_H */
