/* SPDX-License-Identifier: MIT */
/*
 * The configuration prompt: a line editor for a serial terminal (echo,
 * backspace, ^U) and a handful of commands over the configuration. Edits
 * apply to this boot; "save" also writes them to vireo.cfg.
 */
#include "boot/prompt.h"
#include "hv/string.h"

#define PROMPT		"vireo> "
#define LINE_SIZE	320	/* "set next=" and the longest path, with room to spare */

/* Terminal control characters: BS, DEL (what most terminals send for backspace), ^U. */
#define CH_BACKSPACE	0x08
#define CH_DELETE	0x7f
#define CH_KILL		0x15

enum prompt_next {
	NEXT_COMMAND,
	NEXT_BOOT,
	NEXT_ABORT,
};

struct prompt {
	const struct prompt_io *io;
	struct vireo_config *cfg;
	bool after_cr;		/* the last line ended with CR: an LF now is its other half */
	char line[LINE_SIZE];
};

struct prompt_cmd {
	const char *name;
	const char *usage;	/* the name and its argument, for help */
	const char *help;
	bool takes_arg;
	enum prompt_next (*run)(struct prompt *p, const char *arg);
};

static void put(const struct prompt *p, const char *s)
{
	p->io->write(p->io->ctx, s, hv_strlen(s));
}

static void put_line(const struct prompt *p, const char *s)
{
	put(p, s);
	put(p, "\r\n");
}

/* Reads one line into p->line, echoing and editing; false when the line is gone. */
static bool read_line(struct prompt *p)
{
	size_t len = 0;
	int ch;

	put(p, PROMPT);
	for (;;) {
		ch = p->io->getc(p->io->ctx);
		if (ch < 0)
			return false;
		if (ch == '\n' && p->after_cr) {
			p->after_cr = false;
			continue;
		}
		p->after_cr = ch == '\r';
		if (ch == '\r' || ch == '\n') {
			put(p, "\r\n");
			p->line[len] = '\0';
			return true;
		}
		if ((ch == CH_BACKSPACE || ch == CH_DELETE) && len) {
			len--;
			put(p, "\b \b");
		} else if (ch == CH_KILL) {
			for (; len; len--)
				put(p, "\b \b");
		} else if (ch >= 0x20 && ch < 0x7f) {
			char echo[2] = { (char)ch, '\0' };

			if (len + 1 == sizeof(p->line)) {
				put(p, "\a");
				continue;
			}
			p->line[len++] = (char)ch;
			put(p, echo);
		}
	}
}

/* cfg_format with "\r\n" line ends. */
static void put_config(const struct prompt *p)
{
	char text[CFG_TEXT_MAX];
	char *line = text;

	cfg_format(p->cfg, text, sizeof(text));
	for (char *s = text; *s; s++) {
		if (*s == '\n') {
			*s = '\0';
			put_line(p, line);
			line = s + 1;
		}
	}
}

static enum prompt_next cmd_show(struct prompt *p, const char *arg)
{
	(void)arg;
	put_config(p);
	return NEXT_COMMAND;
}

static enum prompt_next cmd_set(struct prompt *p, const char *arg)
{
	struct cfg_error err;

	put_line(p, cfg_parse_arg(p->cfg, arg, &err) ? err.text : "ok");
	return NEXT_COMMAND;
}

static enum prompt_next cmd_save(struct prompt *p, const char *arg)
{
	char text[CFG_TEXT_MAX], msg[64];
	size_t len = cfg_format(p->cfg, text, sizeof(text));
	int rc = p->io->save(p->io->ctx, text, len);

	(void)arg;
	if (rc)
		hv_snprintf(msg, sizeof(msg), "save failed (error %d); the changes still apply to this boot",
			    rc);
	put_line(p, rc ? msg : "saved vireo.cfg");
	return NEXT_COMMAND;
}

static enum prompt_next cmd_boot(struct prompt *p, const char *arg)
{
	(void)p;
	(void)arg;
	return NEXT_BOOT;
}

static enum prompt_next cmd_abort(struct prompt *p, const char *arg)
{
	(void)p;
	(void)arg;
	return NEXT_ABORT;
}

static enum prompt_next cmd_help(struct prompt *p, const char *arg);

static const struct prompt_cmd prompt_cmds[] = {
	{ "show", "show", "print the configuration", false, cmd_show },
	{ "set", "set key=value", "change one key for this boot (the keys are those show prints)",
	  true, cmd_set },
	{ "save", "save", "write the configuration to vireo.cfg", false, cmd_save },
	{ "boot", "boot", "start Vireo with this configuration", false, cmd_boot },
	{ "abort", "abort", "do not start Vireo; the boot goes on without it", false, cmd_abort },
	{ "help", "help", "this list", false, cmd_help },
};

static enum prompt_next cmd_help(struct prompt *p, const char *arg)
{
	char line[128];

	(void)arg;
	put_line(p, "commands:");
	for (size_t i = 0; i < ARRAY_SIZE(prompt_cmds); i++) {
		hv_snprintf(line, sizeof(line), "  %-15s %s", prompt_cmds[i].usage, prompt_cmds[i].help);
		put_line(p, line);
	}
	return NEXT_COMMAND;
}

/* Splits p->line into the command word and its argument, without surrounding blanks. */
static enum prompt_next run_line(struct prompt *p)
{
	char *cmd = p->line, *arg, *end, msg[LINE_SIZE + 48];

	while (*cmd == ' ')
		cmd++;
	for (arg = cmd; *arg && *arg != ' '; arg++)
		;
	if (*arg)
		*arg++ = '\0';
	while (*arg == ' ')
		arg++;
	for (end = arg + hv_strlen(arg); end > arg && end[-1] == ' '; end--)
		;
	*end = '\0';
	if (!*cmd)
		return NEXT_COMMAND;

	for (size_t i = 0; i < ARRAY_SIZE(prompt_cmds); i++) {
		const struct prompt_cmd *c = &prompt_cmds[i];

		if (hv_strcmp(cmd, c->name))
			continue;
		if (c->takes_arg != (*arg != '\0')) {
			hv_snprintf(msg, sizeof(msg), "usage: %s", c->usage);
			put_line(p, msg);
			return NEXT_COMMAND;
		}
		return c->run(p, arg);
	}
	hv_snprintf(msg, sizeof(msg), "unknown command \"%s\"; type help", cmd);
	put_line(p, msg);
	return NEXT_COMMAND;
}

enum prompt_result prompt_run(struct vireo_config *c, const struct prompt_io *io)
{
	struct prompt p = { .io = io, .cfg = c };

	put_line(&p, "Vireo configuration; type help for the commands");
	while (read_line(&p)) {
		switch (run_line(&p)) {
		case NEXT_COMMAND:
			break;
		case NEXT_BOOT:
			return PROMPT_BOOT;
		case NEXT_ABORT:
			return PROMPT_ABORT;
		}
	}
	return PROMPT_BOOT;
}
