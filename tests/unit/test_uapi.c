// SPDX-License-Identifier: GPL-2.0
/*
 * test_uapi.c - the ioctl ABI (include/vexfs_uapi.h) and the vector slot
 * format keep their documented layout, and vexctl's vector parser gives
 * the precise errors its manual promises.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vexfs_format.h"
#include "vexfs_uapi.h"
#include "../../userspace/vexctl/vecio.c"

#define FIELD(type, field, off, size) do {				\
	assert_int_equal(offsetof(struct type, field), off);		\
	assert_int_equal(sizeof(((struct type *)0)->field), size);	\
} while (0)

static void uapi_layout(void **state)
{
	(void)state;
	FIELD(vexfs_collection_info, version, 0x00, 4);
	FIELD(vexfs_collection_info, root_ino, 0x18, 8);
	FIELD(vexfs_collection_info, hnsw_m, 0x30, 2);
	FIELD(vexfs_collection_info, hnsw_ef_construction, 0x32, 2);
	FIELD(vexfs_collection_info, index_state, 0x34, 4);
	FIELD(vexfs_collection_info, reserved, 0x38, 24);
	FIELD(vexfs_collection_list, entries, 0x10, 8);
	FIELD(vexfs_embedding, vector, 0x10, 8);
	FIELD(vexfs_batch_item, result, 0x0c, 4);
	FIELD(vexfs_batch, items, 0x18, 8);
	FIELD(vexfs_batch, vectors, 0x20, 8);
	FIELD(vexfs_query_hit, distance_f64, 0x08, 8);
	FIELD(vexfs_query, vector, 0x10, 8);
	FIELD(vexfs_query, hits, 0x18, 8);
	FIELD(vexfs_query, paths, 0x20, 8);
	FIELD(vexfs_query, path_size, 0x28, 4);
	FIELD(vexfs_query, scanned, 0x30, 8);
	FIELD(vexfs_query, ef, 0x38, 4);
	FIELD(vexfs_query, method, 0x3c, 4);
	FIELD(vexfs_collection_stats, info, 0x08, 0x50);
	FIELD(vexfs_collection_stats, queries, 0x70, 8);
	FIELD(vexfs_collection_stats, index_live, 0x80, 8);
	FIELD(vexfs_collection_stats, index_queries, 0x98, 8);
	FIELD(vexfs_index_ctl, state, 0x08, 4);
	assert_int_equal(_IOC_SIZE(VEXFS_IOC_INDEX_CTL),
			 sizeof(struct vexfs_index_ctl));
	/* The size is part of each ioctl number. */
	assert_int_equal(_IOC_SIZE(VEXFS_IOC_QUERY), sizeof(struct vexfs_query));
	assert_int_equal(_IOC_SIZE(VEXFS_IOC_BATCH_SET), sizeof(struct vexfs_batch));
}

static void slot_layout(void **state)
{
	(void)state;
	FIELD(vexfs_vec_slot, vs_ino, 0x00, 8);
	FIELD(vexfs_vec_slot, vs_generation, 0x08, 4);
	FIELD(vexfs_vec_slot, vs_checksum, 0x0c, 4);
	assert_int_equal(offsetof(struct vexfs_vec_slot, vs_data), 16);
	assert_int_equal(VEXFS_VEC_SLOT_SIZE(1), 32);
	assert_int_equal(VEXFS_VEC_SLOT_SIZE(4), 32);
	assert_int_equal(VEXFS_VEC_SLOT_SIZE(128), 528);
	assert_int_equal(VEXFS_VEC_SLOT_SIZE(4096), 16400);
	assert_int_equal(VEXFS_VEC_SLOTS_PER_BLOCK(4096, 128), 7);
	assert_int_equal(VEXFS_VEC_SLOTS_PER_BLOCK(4096, 1500), 0);
}

static void parse_vectors(void **state)
{
	char err[VECIO_ERR_MAX];
	float *v;

	(void)state;
	assert_int_equal(vec_parse_text("1, 2 ,3.5,-4e-3", &v, 4, err), 4);
	assert_true(v[2] == 3.5f && v[3] == -4e-3f);
	free(v);
	assert_int_equal(vec_parse_text("[1 2 3]", &v, 0, err), 3);
	free(v);
	assert_int_equal(vec_parse_text("1,2,3", &v, 4, err), -1);
	assert_string_equal(err, "expected 4 values, got 3");
	assert_int_equal(vec_parse_text("1,x,3", &v, 3, err), -1);
	assert_string_equal(err, "value 2 ('x') is not a finite number");
	assert_int_equal(vec_parse_text("1,inf", &v, 2, err), -1);
	assert_int_equal(vec_parse_text("nan", &v, 1, err), -1);
	assert_int_equal(vec_parse_text("", &v, 0, err), -1);
}

int main(void)
{
	const struct CMUnitTest uapi[] = {
		cmocka_unit_test(uapi_layout),
		cmocka_unit_test(slot_layout),
		cmocka_unit_test(parse_vectors),
	};

	return cmocka_run_group_tests(uapi, NULL, NULL);
}
