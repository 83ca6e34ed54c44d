// SPDX-License-Identifier: GPL-2.0
/*
 * fsck.vexfs - check and repair a VexFS filesystem.
 *
 * usage: fsck.vexfs [-n|-p|-a|-y] [-f] [-v] [-C fd] [-E opts] [-V] [-h]
 *                   DEVICE|IMAGE
 *
 * The checks, the problem table and the repairs are vexfs_check()
 * (check.c and the files beside it); this file parses the options, talks
 * to the user and turns the result into an fsck(8) exit code:
 *
 *   0  no errors            4  errors left uncorrected
 *   1  errors corrected     8  operational error
 *   2  (reboot; not used)  16  usage or syntax error
 *                          32  canceled by the user
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static const char *prog = "fsck.vexfs";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-n|-p|-y] [-f] [-v] [-C fd] [-E opts] DEVICE|IMAGE\n"
		"\n"
		"Check a VexFS filesystem and repair what is wrong.\n"
		"\n"
		"  -n        check only: answer no to every question, write nothing\n"
		"  -p, -a    preen: fix what is safe without asking, stop otherwise\n"
		"  -y        answer yes to every question\n"
		"  -f        check even if the filesystem is marked clean\n"
		"  -v        verbose\n"
		"  -C fd     write progress lines (pass done total device) to fd\n"
		"  -E opts   extended options, comma-separated:\n"
		"              rebuild-index  build every collection's ANN index anew\n"
		"  -V        print the version and exit\n"
		"  -h        print this help and exit\n"
		"\n"
		"Exit status: 0 no errors, 1 errors corrected, 4 errors left\n"
		"uncorrected, 8 operational error, 16 usage error, 32 canceled.\n",
		prog);
}

struct fsck_ui {
	const char *device;
	int progress_fd;		/* -1 for none */
};

static void ui_print(void *priv, const char *text)
{
	(void)priv;
	fputs(text, stdout);
	fflush(stdout);
}

/* Interactive mode: y or n; an empty line is "no", EOF cancels. */
static int ui_ask(void *priv, const char *prompt)
{
	char line[64];

	(void)priv;
	for (;;) {
		printf("%s<y>/<n> ", prompt);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin)) {
			printf("cancelled!\n");
			return -1;
		}
		if (line[0] == 'y' || line[0] == 'Y') {
			printf("yes\n\n");
			return 1;
		}
		if (line[0] == 'n' || line[0] == 'N' || line[0] == '\n') {
			printf("no\n\n");
			return 0;
		}
	}
}

/* The format fsck(8) reads from -C: "pass current maximum device". */
static void ui_progress(void *priv, int pass, uint64_t cur, uint64_t max)
{
	struct fsck_ui *ui = priv;

	if (ui->progress_fd >= 0)
		dprintf(ui->progress_fd, "%d %llu %llu %s\n", pass,
			(unsigned long long)cur, (unsigned long long)max,
			ui->device);
}

static void set_mode(struct vexfs_check_opts *opts, int *modes,
		     enum vexfs_check_mode mode)
{
	opts->mode = mode;
	(*modes)++;
}

/* -E: comma-separated extended options, as e2fsck's. */
static void parse_extended(char *arg, struct vexfs_check_opts *opts)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "rebuild-index")) {
			opts->rebuild_index = true;
			continue;
		}
		fprintf(stderr, "%s: unknown extended option '%s'\n", prog, tok);
		exit(FSCK_USAGE);
	}
}

static void parse_args(int argc, char **argv, struct vexfs_check_opts *opts,
		       struct fsck_ui *ui)
{
	int opt, modes = 0;
	char *end;

	opts->mode = VEXFS_CHECK_ASK;
	while ((opt = getopt(argc, argv, "npayfvC:E:Vh")) != -1) {
		switch (opt) {
		case 'n':
			set_mode(opts, &modes, VEXFS_CHECK_NO);
			break;
		case 'p':
		case 'a':
			set_mode(opts, &modes, VEXFS_CHECK_PREEN);
			break;
		case 'y':
			set_mode(opts, &modes, VEXFS_CHECK_YES);
			break;
		case 'f':
			opts->force = true;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'C':
			ui->progress_fd = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || ui->progress_fd < 0) {
				fprintf(stderr, "%s: invalid progress fd '%s'\n",
					prog, optarg);
				exit(FSCK_USAGE);
			}
			/* fsck -C0 means "to the terminal" */
			if (ui->progress_fd == 0)
				ui->progress_fd = STDOUT_FILENO;
			break;
		case 'E':
			parse_extended(optarg, opts);
			break;
		case 'V':
			printf("%s %s\n", prog, VEXFS_VERSION);
			exit(FSCK_OK);
		case 'h':
			usage(stdout);
			exit(FSCK_OK);
		default:
			usage(stderr);
			exit(FSCK_USAGE);
		}
	}
	if (modes > 1) {
		fprintf(stderr, "%s: only one of -n, -p/-a and -y may be given\n",
			prog);
		exit(FSCK_USAGE);
	}
	if (optind != argc - 1) {
		usage(stderr);
		exit(FSCK_USAGE);
	}
	ui->device = argv[optind];
}

int main(int argc, char **argv)
{
	struct fsck_ui ui = { .progress_fd = -1 };
	struct vexfs_check_opts opts = {
		.print = ui_print,
		.ask = ui_ask,
		.progress = ui_progress,
		.priv = &ui,
	};
	struct vexfs_err err = { "" };
	int code;

	parse_args(argc, argv, &opts, &ui);
	if (opts.mode == VEXFS_CHECK_ASK && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "%s: need a terminal for interactive repairs; use -n, -p or -y\n",
			prog);
		return FSCK_ERROR;
	}
	opts.name = ui.device;
	code = vexfs_check(ui.device, &opts, NULL, &err);
	if ((code & FSCK_ERROR) && err.msg[0])
		fprintf(stderr, "%s: %s\n", prog, err.msg);
	return code;
}
