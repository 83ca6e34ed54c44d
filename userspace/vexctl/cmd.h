/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h - vexctl's command lines, parsed in one place.
 *
 * Every command's options and operands are declared in the command table
 * (main.c, commands[]) and parsed there by one getopt_long() loop, which
 * answers --help, rejects unknown options, missing option arguments and
 * the wrong number of operands with a usage error.  A command's run()
 * then gets the options in the order given, as OPT_* codes with their
 * arguments, and only checks their values.
 */
#ifndef _VEXCTL_CMD_H
#define _VEXCTL_CMD_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Option codes: the letter of an option that has a short form, else one
 * of these (above every char, as getopt_long() allows).
 */
enum {
	OPT_HELP = 'h',
	OPT_K = 'k',			/* query -k N */
	OPT_OUTPUT = 'o',		/* export -o, --output FILE */
	OPT_JSON = 256,
	OPT_DIM,
	OPT_METRIC,
	OPT_M,
	OPT_EF_CONSTRUCTION,
	OPT_VECTOR,
	OPT_VECTOR_FILE,
	OPT_LIKE,
	OPT_EXACT,
	OPT_EF,
	OPT_FORMAT,
	OPT_BATCH,
	OPT_PREFIX,
	OPT_NO_CREATE,
	OPT_QUIET,
};

#define CMD_MAX_OPTS	64

/* One command line, parsed. */
struct cmd_line {
	const char *name;		/* "collection create", for messages */
	const char *help;		/* the command's --help text */
	int nopts;
	struct {
		int code;		/* OPT_* */
		const char *arg;	/* its argument, or NULL */
	} opt[CMD_MAX_OPTS];
	int argc;			/* operands, in order */
	char **argv;
};

/* Was option @code given? */
static inline bool cmd_has(const struct cmd_line *cl, int code)
{
	int i;

	for (i = 0; i < cl->nopts; i++)
		if (cl->opt[i].code == code)
			return true;
	return false;
}

/*
 * "vexctl: " and the message, then the command's help, on stderr.
 * Returns the usage error's exit status (2).
 */
int cmd_usage_error(const struct cmd_line *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* _VEXCTL_CMD_H */
