// SPDX-License-Identifier: GPL-2.0
/*
 * fsx.c - a randomized file exerciser in the spirit of fsx.
 *
 * Applies random reads, writes, truncates, shared-mmap reads and writes,
 * fallocates and fsyncs to one file and checks every byte against an
 * in-memory model.  The seed is printed first, and `fsx -s SEED` replays
 * the same run.  Exit status 0 means every check passed.
 *
 * usage: fsx [-s seed] [-n ops] [-l maxlen] [-F ops] [-R] [-P] FILE
 *   -F  compare the whole file at most once per this many ops (default 1:
 *       every check); the checks between compare a random 1 MiB window
 *       and the size.  For a file of many MiB, whole-file compares cost
 *       far more than the operations they check.
 *   -R  close and reopen the file (dropping its cache) now and then
 *   -P  half of the fallocates punch holes or zero ranges instead
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned char *model;	/* what the file must contain */
static size_t model_len;	/* the file's size per the model */
static size_t max_len = 4 << 20;
static const char *path;
static int fd = -1;
static unsigned long op_no;
static uint64_t rng_state;

/* xorshift64*: small, fast and the same on every machine */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rnd_below(size_t n)
{
	return n ? rnd() % n : 0;
}

static void die(const char *what, size_t off, size_t len)
{
	fprintf(stderr, "fsx: op %lu: %s at offset %zu length %zu: %s\n",
		op_no, what, off, len, errno ? strerror(errno) : "mismatch");
	exit(1);
}

static void check_range(const unsigned char *got, size_t off, size_t len,
			const char *how)
{
	size_t i;

	if (!memcmp(got, model + off, len))
		return;
	for (i = 0; i < len; i++) {
		if (got[i] != model[off + i]) {
			fprintf(stderr,
				"fsx: op %lu: %s: byte %zu is 0x%02x, expected 0x%02x\n",
				op_no, how, off + i, got[i], model[off + i]);
			exit(1);
		}
	}
}

static void fill_random(unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(rnd() >> 32);
}

/* Set the model's size, zeroing what a grow exposes. */
static void model_resize(size_t len)
{
	if (len > model_len)
		memset(model + model_len, 0, len - model_len);
	model_len = len;
}

static void op_read(void)
{
	size_t off = rnd_below(model_len + 1), len = rnd_below(65536) + 1;
	unsigned char *buf = malloc(len);
	ssize_t got;

	errno = 0;
	got = pread(fd, buf, len, off);
	if (got < 0)
		die("pread", off, len);
	if ((size_t)got != (off >= model_len ? 0 :
			    (len < model_len - off ? len : model_len - off)))
		die("short pread", off, len);
	check_range(buf, off, got, "read");
	free(buf);
}

static void op_write(void)
{
	size_t off = rnd_below(max_len), len = rnd_below(65536) + 1;
	unsigned char *buf;

	if (off + len > max_len)
		len = max_len - off;
	buf = malloc(len);
	fill_random(buf, len);
	errno = 0;
	if (pwrite(fd, buf, len, off) != (ssize_t)len)
		die("pwrite", off, len);
	if (off + len > model_len)
		model_resize(off + len);
	memcpy(model + off, buf, len);
	free(buf);
}

static void op_truncate(void)
{
	size_t len = rnd_below(max_len);

	errno = 0;
	if (ftruncate(fd, len))
		die("ftruncate", len, 0);
	/* Shrinking then growing must not resurrect old bytes. */
	if (len < model_len)
		memset(model + len, 0, model_len - len);
	model_resize(len);
}

static void op_mmap(bool write)
{
	size_t page = sysconf(_SC_PAGESIZE), off, len, moff, mlen;
	unsigned char *map;

	if (!model_len)
		return;
	off = rnd_below(model_len);
	len = rnd_below(model_len - off) + 1;
	if (len > 65536)
		len = 65536;
	moff = off & ~(page - 1);
	mlen = off + len - moff;
	errno = 0;
	map = mmap(NULL, mlen, PROT_READ | (write ? PROT_WRITE : 0),
		   MAP_SHARED, fd, moff);
	if (map == MAP_FAILED)
		die("mmap", off, len);
	if (write) {
		fill_random(model + off, len);
		memcpy(map + (off - moff), model + off, len);
		if (rnd_below(2) && msync(map, mlen, MS_SYNC))
			die("msync", off, len);
	} else {
		check_range(map + (off - moff), off, len, "mmap read");
	}
	munmap(map, mlen);
}

static void op_fallocate(void)
{
	size_t off = rnd_below(max_len), len = rnd_below(262144) + 1;
	int keep = rnd_below(2) ? FALLOC_FL_KEEP_SIZE : 0;

	if (off + len > max_len)
		len = max_len - off;
	errno = 0;
	if (fallocate(fd, keep, off, len))
		die(keep ? "fallocate KEEP_SIZE" : "fallocate", off, len);
	if (!keep && off + len > model_len)
		model_resize(off + len);
}

/*
 * -P: PUNCH_HOLE (with KEEP_SIZE) or ZERO_RANGE (with or without
 * KEEP_SIZE) over a random range, which then reads as zeros.
 */
static void op_punch_zero(void)
{
	size_t off = rnd_below(max_len), len = rnd_below(262144) + 1, end;
	int mode = rnd_below(2) ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
		   FALLOC_FL_ZERO_RANGE | (rnd_below(2) ? FALLOC_FL_KEEP_SIZE : 0);

	if (off + len > max_len)
		len = max_len - off;
	errno = 0;
	if (fallocate(fd, mode, off, len))
		die(mode & FALLOC_FL_PUNCH_HOLE ? "punch hole" : "zero range",
		    off, len);
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > model_len)
		model_resize(off + len);
	end = off + len < model_len ? off + len : model_len;
	if (off < end)
		memset(model + off, 0, end - off);
}

static void op_fsync(void)
{
	errno = 0;
	if ((rnd_below(2) ? fsync(fd) : fdatasync(fd)))
		die("fsync", 0, 0);
}

static void reopen(void)
{
	if (fd >= 0) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		die("open", 0, 0);
}

/* The whole file, compared against the model, including its size. */
static void check_all(void)
{
	unsigned char *buf = malloc(model_len + 1);
	struct stat st;
	ssize_t got;

	errno = 0;
	if (fstat(fd, &st) || (size_t)st.st_size != model_len) {
		fprintf(stderr, "fsx: op %lu: size is %lld, expected %zu\n",
			op_no, (long long)st.st_size, model_len);
		exit(1);
	}
	got = pread(fd, buf, model_len + 1, 0);
	if (got != (ssize_t)model_len)
		die("full read", 0, model_len);
	check_range(buf, 0, model_len, "full read");
	free(buf);
}

/*
 * Size plus a random window of at most 1 MiB, compared against the model:
 * the check between whole-file compares (-F).
 */
static void check_window(void)
{
	size_t len = model_len < (1 << 20) ? model_len : 1 << 20;
	size_t off = rnd_below(model_len - len + 1);
	unsigned char *buf = malloc(len + 1);
	struct stat st;

	errno = 0;
	if (fstat(fd, &st) || (size_t)st.st_size != model_len) {
		fprintf(stderr, "fsx: op %lu: size is %lld, expected %zu\n",
			op_no, (long long)st.st_size, model_len);
		exit(1);
	}
	if (pread(fd, buf, len, off) != (ssize_t)len)
		die("window read", off, len);
	check_range(buf, off, len, "window read");
	free(buf);
}

int main(int argc, char **argv)
{
	unsigned long ops = 10000, seed = 0, full_every = 1, last_full = 0;
	bool reopen_often = false, punch = false;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:l:F:RP")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			ops = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			max_len = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			full_every = strtoul(optarg, NULL, 0);
			break;
		case 'R':
			reopen_often = true;
			break;
		case 'P':
			punch = true;
			break;
		default:
			fprintf(stderr, "usage: fsx [-s seed] [-n ops] [-l maxlen] [-F ops] [-R] [-P] FILE\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: fsx [-s seed] [-n ops] [-l maxlen] [-F ops] [-R] [-P] FILE\n");
		return 2;
	}
	path = argv[optind];
	if (!seed)
		seed = (unsigned long)time(NULL) ^ (unsigned long)getpid();
	rng_state = seed | 1;
	printf("fsx: seed %lu, %lu ops, max length %zu on %s\n", seed, ops,
	       max_len, path);
	fflush(stdout);

	model = calloc(1, max_len);
	unlink(path);
	reopen();
	for (op_no = 1; op_no <= ops; op_no++) {
		switch (rnd_below(12)) {
		case 0: case 1: case 2:
			op_write();
			break;
		case 3: case 4: case 5:
			op_read();
			break;
		case 6:
			op_truncate();
			break;
		case 7:
			op_mmap(false);
			break;
		case 8:
			op_mmap(true);
			break;
		case 9:
			if (punch && rnd_below(2))
				op_punch_zero();
			else
				op_fallocate();
			break;
		case 10:
			op_fsync();
			break;
		default:
			if (reopen_often)
				reopen();
			if (op_no - last_full >= full_every) {
				check_all();
				last_full = op_no;
			} else {
				check_window();
			}
			break;
		}
	}
	check_all();
	close(fd);
	printf("fsx: %lu ops passed (seed %lu)\n", ops, seed);
	return 0;
}
