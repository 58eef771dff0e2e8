// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_patch: copy a file, replacing one string by another of the same
 * length.
 *
 *   rloader_patch IN OUT OLD NEW [all]
 *
 * The selftests make variants of modules that modpost refuses to build: a
 * non-GPL license ("license=GPL" -> "license=XYZ"), or a missing namespace
 * import; with "all", every occurrence is replaced (a module renamed).
 * Exits 1 if OLD does not occur (or, without "all", occurs more than once).
 * A signed module is written unsigned: its signature covers the bytes the
 * patch changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The length of the module in @buf without its appended signature (the
 * signature, struct module_signature and the marker scripts/sign-file
 * appends), or @len if it has none.
 */
static size_t unsigned_len(const char *buf, size_t len)
{
	static const char marker[] = "~Module signature appended~\n";
	const size_t mlen = sizeof(marker) - 1, info = 12;
	const unsigned char *p;
	size_t sig;

	if (len < mlen + info || memcmp(buf + len - mlen, marker, mlen))
		return len;
	/* struct module_signature: ..., __be32 sig_len at offset 8. */
	p = (const unsigned char *)buf + len - mlen - info;
	sig = (size_t)p[8] << 24 | (size_t)p[9] << 16 | (size_t)p[10] << 8 | p[11];
	if (sig > len - mlen - info)
		return len;
	return len - mlen - info - sig;
}

int main(int argc, char **argv)
{
	size_t len, cap = 1 << 20, olen;
	char *buf, *hit = NULL, *p;
	int all = argc == 6 && !strcmp(argv[5], "all");
	FILE *in, *out;

	if ((argc != 5 && !all) || strlen(argv[3]) != strlen(argv[4]) || !*argv[3]) {
		fprintf(stderr, "usage: %s IN OUT OLD NEW [all] (OLD and NEW of one length)\n",
			argv[0]);
		return 2;
	}
	olen = strlen(argv[3]);
	in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	buf = malloc(cap);
	len = 0;
	while (buf) {
		len += fread(buf + len, 1, cap - len, in);
		if (len < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
	}
	fclose(in);
	if (!buf) {
		perror("malloc");
		return 1;
	}
	len = unsigned_len(buf, len);
	for (p = buf; p + olen <= buf + len; p++) {
		if (memcmp(p, argv[3], olen))
			continue;
		if (all) {
			memcpy(p, argv[4], olen);
			hit = p;
			continue;
		}
		if (hit) {
			fprintf(stderr, "%s: '%s' occurs more than once\n", argv[1], argv[3]);
			return 1;
		}
		hit = p;
	}
	if (!hit) {
		fprintf(stderr, "%s: '%s' not found\n", argv[1], argv[3]);
		return 1;
	}
	if (!all)
		memcpy(hit, argv[4], olen);
	out = fopen(argv[2], "wb");
	if (!out || fwrite(buf, 1, len, out) != len || fclose(out)) {
		perror(argv[2]);
		return 1;
	}
	free(buf);
	return 0;
}
