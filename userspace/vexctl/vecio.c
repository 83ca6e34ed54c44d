// SPDX-License-Identifier: GPL-2.0
/*
 * vecio.c - vector file formats for vexctl import/export and the text
 * vectors of --vector.
 *
 *   .fvecs  TEXMEX / ann-benchmarks: per vector a little-endian int32
 *           dimension, then that many little-endian float32.  No names.
 *   .npy    NumPy format 1.0-3.0, dtype '<f4', 2-D, C order.  No names.
 *   .csv    one vector per line: NAME,v1,...,vD; or v1,...,vD (no name)
 *           when the first field is a number.  '#' lines are comments.
 *   .jsonl  one JSON object per line with "name" (string) and "vector"
 *           (or "embedding"): an array of numbers.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vecio.h"

static void seterr(char err[VECIO_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, VECIO_ERR_MAX, fmt, ap);
	va_end(ap);
}

void vecset_free(struct vecset *vs)
{
	size_t i;

	if (vs->names)
		for (i = 0; i < vs->n; i++)
			free(vs->names[i]);
	free(vs->names);
	free(vs->data);
	memset(vs, 0, sizeof(*vs));
}

/* Room for one more vector; the name may be NULL. */
static int vecset_add(struct vecset *vs, const float *v, const char *name)
{
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? vs->cap * 2 : 1024;
		float *d = realloc(vs->data, cap * vs->dim * sizeof(float));
		char **nm;

		if (!d)
			return -1;
		vs->data = d;
		nm = realloc(vs->names, cap * sizeof(char *));
		if (!nm)
			return -1;
		vs->names = nm;
		vs->cap = cap;
	}
	memcpy(vs->data + vs->n * vs->dim, v, vs->dim * sizeof(float));
	vs->names[vs->n] = name ? strdup(name) : NULL;
	if (name && !vs->names[vs->n])
		return -1;
	vs->n++;
	return 0;
}

/* Parse one number at *p; false if there is none or it is not finite. */
static bool parse_float(const char **p, float *out)
{
	char *end;
	float f;

	errno = 0;
	f = strtof(*p, &end);
	if (end == *p || !isfinite(f))
		return false;
	*p = end;
	*out = f;
	return true;
}

static const char *skip_sep(const char *p)
{
	while (*p == ',' || isspace((unsigned char)*p))
		p++;
	return p;
}

long vec_parse_text(const char *s, float **out, uint32_t want,
		    char err[VECIO_ERR_MAX])
{
	size_t n = 0, cap = 16;
	float *v = malloc(cap * sizeof(float));
	const char *p = skip_sep(s);

	if (!v) {
		seterr(err, "out of memory");
		return -1;
	}
	if (*p == '[')
		p = skip_sep(p + 1);
	while (*p && *p != ']') {
		const char *start = p;
		float f;

		if (!parse_float(&p, &f) ||
		    (*p && *p != ',' && *p != ']' && !isspace((unsigned char)*p))) {
			size_t len = strcspn(start, ", \t\n]");

			seterr(err, "value %zu ('%.*s') is not a finite number",
			       n + 1, (int)(len > 32 ? 32 : len), start);
			free(v);
			return -1;
		}
		if (n == cap) {
			float *nv = realloc(v, (cap *= 2) * sizeof(float));

			if (!nv) {
				free(v);
				seterr(err, "out of memory");
				return -1;
			}
			v = nv;
		}
		v[n++] = f;
		p = skip_sep(p);
	}
	if (!n || (want && n != want)) {
		if (want)
			seterr(err, "expected %u values, got %zu", want, n);
		else
			seterr(err, "no values");
		free(v);
		return -1;
	}
	if (n > 4096) {
		seterr(err, "%zu values: more than the 4096 a vector may have", n);
		free(v);
		return -1;
	}
	*out = v;
	return (long)n;
}

enum vec_format vec_format_by_name(const char *name)
{
	if (!strcmp(name, "fvecs"))
		return FMT_FVECS;
	if (!strcmp(name, "npy"))
		return FMT_NPY;
	if (!strcmp(name, "csv"))
		return FMT_CSV;
	if (!strcmp(name, "jsonl"))
		return FMT_JSONL;
	return FMT_NONE;
}

enum vec_format vec_format_by_ext(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot ? vec_format_by_name(dot + 1) : FMT_NONE;
}

const char *vec_format_name(enum vec_format f)
{
	static const char *const names[] = { "none", "fvecs", "npy", "csv",
					     "jsonl" };
	return names[f];
}

static int read_fvecs(FILE *f, const char *path, uint32_t dim,
		      struct vecset *vs, char err[VECIO_ERR_MAX])
{
	float *v = malloc(dim * sizeof(float));
	size_t rec = 0;
	int32_t d;
	uint32_t i;

	if (!v)
		return seterr(err, "out of memory"), -1;
	while (fread(&d, 4, 1, f) == 1) {
		rec++;
		if (d != (int32_t)dim) {
			seterr(err, "%s: vector %zu: expected %u values, got %d",
			       path, rec, dim, d);
			goto fail;
		}
		if (fread(v, 4, dim, f) != dim) {
			seterr(err, "%s: vector %zu: file ends inside it", path,
			       rec);
			goto fail;
		}
		for (i = 0; i < dim; i++)
			if (!isfinite(v[i])) {
				seterr(err, "%s: vector %zu: value %u is not finite",
				       path, rec, i + 1);
				goto fail;
			}
		if (vecset_add(vs, v, NULL)) {
			seterr(err, "out of memory");
			goto fail;
		}
	}
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

static int read_npy(FILE *f, const char *path, uint32_t dim,
		    struct vecset *vs, char err[VECIO_ERR_MAX])
{
	unsigned char magic[8];
	unsigned long rows = 0, cols = 0;
	uint32_t hlen, i;
	char *hdr = NULL, *p;
	float *v = NULL;
	unsigned long r;

	if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "\x93NUMPY", 6))
		return seterr(err, "%s: not a .npy file", path), -1;
	if (magic[6] == 1) {
		uint16_t h;

		if (fread(&h, 2, 1, f) != 1)
			goto trunc;
		hlen = h;
	} else if (magic[6] == 2 || magic[6] == 3) {
		if (fread(&hlen, 4, 1, f) != 1)
			goto trunc;
	} else {
		return seterr(err, "%s: .npy version %u is not supported",
			      path, magic[6]), -1;
	}
	if (hlen > 1 << 20)
		return seterr(err, "%s: .npy header too large", path), -1;
	hdr = calloc(1, hlen + 1);
	if (!hdr || fread(hdr, 1, hlen, f) != hlen)
		goto trunc;
	if (!strstr(hdr, "'descr': '<f4'") && !strstr(hdr, "\"descr\": \"<f4\"")) {
		seterr(err, "%s: only little-endian float32 (<f4) arrays can be imported",
		       path);
		goto fail;
	}
	if (strstr(hdr, "'fortran_order': True")) {
		seterr(err, "%s: Fortran-ordered arrays are not supported", path);
		goto fail;
	}
	p = strstr(hdr, "'shape':");
	if (!p || sscanf(p, "'shape': (%lu, %lu)", &rows, &cols) != 2) {
		seterr(err, "%s: the array must be 2-D (rows, dimension)", path);
		goto fail;
	}
	if (cols != dim) {
		seterr(err, "%s: expected %u values per vector, got %lu", path,
		       dim, cols);
		goto fail;
	}
	v = malloc(dim * sizeof(float));
	if (!v)
		goto oom;
	for (r = 0; r < rows; r++) {
		if (fread(v, 4, dim, f) != dim)
			goto trunc;
		for (i = 0; i < dim; i++)
			if (!isfinite(v[i])) {
				seterr(err, "%s: row %lu: value %u is not finite",
				       path, r + 1, i + 1);
				goto fail;
			}
		if (vecset_add(vs, v, NULL))
			goto oom;
	}
	free(hdr);
	free(v);
	return 0;
trunc:
	seterr(err, "%s: file is truncated", path);
	goto fail;
oom:
	seterr(err, "out of memory");
fail:
	free(hdr);
	free(v);
	return -1;
}

/* Parse a JSON string at p (after the quote); returns the end or NULL. */
static const char *json_parse_str(const char *p, char *out, size_t size)
{
	size_t n = 0;

	for (; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			p++;
			switch (*p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '"': case '\\': case '/': c = *p; break;
			default: return NULL;	/* \uXXXX: not for names */
			}
		}
		if (n + 1 >= size)
			return NULL;
		out[n++] = c;
	}
	if (*p != '"')
		return NULL;
	out[n] = '\0';
	return p + 1;
}

static int read_lines(FILE *f, const char *path, enum vec_format fmt,
		      uint32_t dim, struct vecset *vs, char err[VECIO_ERR_MAX])
{
	char *line = NULL, name[4096], verr[VECIO_ERR_MAX];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int ret = -1;

	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *p = line, *vec;
		bool named = false;
		float *v, dummy;
		long n;

		lineno++;
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		if (fmt == FMT_CSV) {
			const char *q = p;

			if (!parse_float(&q, &dummy) ||
			    (*q && *q != ',' && !isspace((unsigned char)*q))) {
				size_t nl = strcspn(p, ",\n");

				if (nl >= sizeof(name)) {
					seterr(err, "%s:%zu: name too long", path, lineno);
					goto out;
				}
				memcpy(name, p, nl);
				name[nl] = '\0';
				named = true;
				p += nl;
			}
			vec = p;
		} else {
			const char *k = strstr(p, "\"name\"");
			const char *a = strstr(p, "\"vector\"");

			if (!a)
				a = strstr(p, "\"embedding\"");
			if (k) {
				k = strchr(k + 6, ':');
				while (k && isspace((unsigned char)*++k))
					;
				if (!k || *k != '"' || !json_parse_str(k + 1, name, sizeof(name))) {
					seterr(err, "%s:%zu: \"name\" is not a plain JSON string",
					       path, lineno);
					goto out;
				}
				named = true;
			}
			if (!a || !(a = strchr(a, '['))) {
				seterr(err, "%s:%zu: no \"vector\" array", path, lineno);
				goto out;
			}
			vec = a;
			if (!strchr(a, ']')) {
				seterr(err, "%s:%zu: unterminated \"vector\" array",
				       path, lineno);
				goto out;
			}
			/* Cut at the array's end for the number parser. */
			*strchr((char *)a, ']') = '\0';
			vec = a + 1;
		}
		n = vec_parse_text(vec, &v, dim, verr);
		if (n < 0) {
			seterr(err, "%s:%zu: %s", path, lineno, verr);
			goto out;
		}
		if (vecset_add(vs, v, named ? name : NULL)) {
			free(v);
			seterr(err, "out of memory");
			goto out;
		}
		free(v);
	}
	ret = 0;
out:
	free(line);
	return ret;
}

int vec_read_file(const char *path, enum vec_format fmt, uint32_t dim,
		  struct vecset *vs, char err[VECIO_ERR_MAX])
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int ret;

	memset(vs, 0, sizeof(*vs));
	vs->dim = dim;
	if (!f)
		return seterr(err, "%s: %s", path, strerror(errno)), -1;
	switch (fmt) {
	case FMT_FVECS:
		ret = read_fvecs(f, path, dim, vs, err);
		break;
	case FMT_NPY:
		ret = read_npy(f, path, dim, vs, err);
		break;
	case FMT_CSV:
	case FMT_JSONL:
		ret = read_lines(f, path, fmt, dim, vs, err);
		break;
	default:
		seterr(err, "%s: unknown format", path);
		ret = -1;
	}
	if (ferror(f) && !ret) {
		seterr(err, "%s: read error", path);
		ret = -1;
	}
	if (f != stdin)
		fclose(f);
	if (ret)
		vecset_free(vs);
	return ret;
}

void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

int vec_write_one(FILE *out, enum vec_format fmt, const char *name,
		  const float *v, uint32_t dim)
{
	uint32_t i;

	switch (fmt) {
	case FMT_FVECS: {
		int32_t d = (int32_t)dim;

		if (fwrite(&d, 4, 1, out) != 1 || fwrite(v, 4, dim, out) != dim)
			return -1;
		return 0;
	}
	case FMT_CSV:
		fputs(name, out);
		for (i = 0; i < dim; i++)
			fprintf(out, ",%.9g", v[i]);
		fputc('\n', out);
		break;
	default:
		fputs("{\"name\": ", out);
		json_str(out, name);
		fputs(", \"vector\": [", out);
		for (i = 0; i < dim; i++)
			fprintf(out, "%s%.9g", i ? ", " : "", v[i]);
		fputs("]}\n", out);
	}
	return ferror(out) ? -1 : 0;
}
