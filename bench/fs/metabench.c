// SPDX-License-Identifier: GPL-2.0
/*
 * metabench - the metadata and timing half of bench/fs, run in the guest.
 *
 *   metabench create DIR N PER_DIR   create N small files
 *   metabench stat   DIR N PER_DIR   stat them
 *   metabench unlink DIR N PER_DIR   unlink them (and the subdirectories)
 *   metabench time   CMD [ARG...]    run CMD, print its wall time
 *
 * PER_DIR 0 puts every file in DIR itself; otherwise the files are spread
 * over subdirectories of PER_DIR files each.  Each command prints one line,
 * "ops_per_sec VALUE" or "seconds VALUE", and exits non-zero on the first
 * failed system call, naming it: a benchmark that silently skipped work
 * would report a rate for nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "metabench: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void file_path(char *buf, size_t len, const char *dir, long i,
		      long per_dir)
{
	if (per_dir)
		snprintf(buf, len, "%s/d%05ld/f%07ld", dir, i / per_dir, i);
	else
		snprintf(buf, len, "%s/f%07ld", dir, i);
}

static void subdir_path(char *buf, size_t len, const char *dir, long d)
{
	snprintf(buf, len, "%s/d%05ld", dir, d);
}

static void do_create(const char *dir, long n, long per_dir)
{
	static const char data[1024] = "small file";
	char path[4096];
	long i;
	int fd;

	for (i = 0; i < n; i++) {
		if (per_dir && i % per_dir == 0) {
			subdir_path(path, sizeof(path), dir, i / per_dir);
			if (mkdir(path, 0755))
				die("mkdir", path);
		}
		file_path(path, sizeof(path), dir, i, per_dir);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			die("create", path);
		if (write(fd, data, sizeof(data)) != sizeof(data))
			die("write", path);
		close(fd);
	}
}

static void do_stat(const char *dir, long n, long per_dir)
{
	char path[4096];
	struct stat st;
	long i;

	/* A stride visits the names out of creation order. */
	for (i = 0; i < n; i++) {
		file_path(path, sizeof(path), dir, (i * 7919) % n, per_dir);
		if (stat(path, &st))
			die("stat", path);
	}
}

static void do_unlink(const char *dir, long n, long per_dir)
{
	char path[4096];
	long i;

	for (i = 0; i < n; i++) {
		file_path(path, sizeof(path), dir, i, per_dir);
		if (unlink(path))
			die("unlink", path);
		if (per_dir && (i % per_dir == per_dir - 1 || i == n - 1)) {
			subdir_path(path, sizeof(path), dir, i / per_dir);
			if (rmdir(path))
				die("rmdir", path);
		}
	}
}

static int do_time(char **argv)
{
	double t0 = now();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork", argv[0]);
	if (pid == 0) {
		execvp(argv[0], argv);
		die("exec", argv[0]);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("wait", argv[0]);
	printf("seconds %.6f\n", now() - t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	void (*op)(const char *, long, long) = NULL;
	long n, per_dir;
	double t0;

	if (argc >= 3 && !strcmp(argv[1], "time"))
		return do_time(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "create"))
		op = do_create;
	else if (argc == 5 && !strcmp(argv[1], "stat"))
		op = do_stat;
	else if (argc == 5 && !strcmp(argv[1], "unlink"))
		op = do_unlink;
	if (!op) {
		fprintf(stderr, "usage: metabench create|stat|unlink DIR N PER_DIR\n"
				"       metabench time CMD [ARG...]\n");
		return 2;
	}
	n = atol(argv[3]);
	per_dir = atol(argv[4]);
	if (n <= 0 || per_dir < 0) {
		fprintf(stderr, "metabench: N must be positive, PER_DIR >= 0\n");
		return 2;
	}
	t0 = now();
	op(argv[2], n, per_dir);
	sync();
	printf("ops_per_sec %.1f\n", n / (now() - t0));
	return 0;
}
