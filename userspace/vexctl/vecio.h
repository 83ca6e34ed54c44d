/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vecio.h - reading and writing vectors for vexctl: the text forms given
 * on the command line and the dataset formats of import and export.
 */
#ifndef _VEXCTL_VECIO_H
#define _VEXCTL_VECIO_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define VECIO_ERR_MAX	256

/* A set of named vectors, all of one dimension. */
struct vecset {
	size_t n;		/* vectors */
	size_t cap;
	uint32_t dim;
	float *data;		/* n * dim */
	char **names;		/* n names, or NULL when the format has none */
};

void vecset_free(struct vecset *vs);

/*
 * Parse "v1,v2,..." (commas and/or white space) into floats.  @want is the
 * expected count or 0 for any.  Returns the count, or -1 with @err set
 * ("expected 384 values, got 383", "value 3 ('x') is not a number").
 */
long vec_parse_text(const char *s, float **out, uint32_t want,
		    char err[VECIO_ERR_MAX]);

/* Formats of vexctl import/export. */
enum vec_format { FMT_NONE, FMT_FVECS, FMT_NPY, FMT_CSV, FMT_JSONL };

enum vec_format vec_format_by_name(const char *name);
enum vec_format vec_format_by_ext(const char *path);
const char *vec_format_name(enum vec_format f);

/*
 * Read a whole dataset.  @dim is the expected dimension (every vector is
 * checked against it).  Returns 0, or -1 with @err naming the file, the
 * record and the problem.
 */
int vec_read_file(const char *path, enum vec_format fmt, uint32_t dim,
		  struct vecset *vs, char err[VECIO_ERR_MAX]);

/* Write one named vector in @fmt (FMT_FVECS, FMT_CSV or FMT_JSONL). */
int vec_write_one(FILE *out, enum vec_format fmt, const char *name,
		  const float *v, uint32_t dim);

/* Print @s as a JSON string. */
void json_str(FILE *out, const char *s);

#endif /* _VEXCTL_VECIO_H */
