/* SPDX-License-Identifier: MIT */
/*
 * hv_vsnprintf: the printf subset that hv/log.h documents. The output is
 * counted in full and stored only while it fits, so a caller can size a
 * buffer from the return value, as with C99 vsnprintf.
 */
#include "hv/log.h"

#define FMT_LEFT	BIT(0)	/* '-': pad on the right */
#define FMT_ZERO	BIT(1)	/* '0': pad numbers with zeros after the sign or prefix */
#define FMT_ALT		BIT(2)	/* '#': 0x or 0X before a non-zero hexadecimal number */

enum fmt_length {
	LEN_INT,
	LEN_LONG,
	LEN_LLONG,
	LEN_SIZE,
};

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;		/* everything produced, stored or not */
};

struct fmt_spec {
	unsigned int flags;
	unsigned int width;
	enum fmt_length length;
};

static void put_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_repeat(struct fmt_out *o, char c, unsigned int n)
{
	while (n--)
		put_char(o, c);
}

static void put_chars(struct fmt_out *o, const char *s, size_t n)
{
	while (n--)
		put_char(o, *s++);
}

static size_t text_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Text padded with spaces to the field width. */
static void put_field(struct fmt_out *o, const struct fmt_spec *spec, const char *s, size_t n)
{
	unsigned int pad = spec->width > n ? spec->width - (unsigned int)n : 0;

	if (!(spec->flags & FMT_LEFT))
		put_repeat(o, ' ', pad);
	put_chars(o, s, n);
	if (spec->flags & FMT_LEFT)
		put_repeat(o, ' ', pad);
}

/* A number: prefix ("-", "0x"), then digits, padded to the field width. */
static void put_number(struct fmt_out *o, const struct fmt_spec *spec, const char *prefix,
		       unsigned long long val, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t nr_digits = 0, prefix_len = text_len(prefix), n;
	unsigned int pad;

	do {
		tmp[nr_digits++] = digits[val % base];
		val /= base;
	} while (val);

	n = prefix_len + nr_digits;
	pad = spec->width > n ? spec->width - (unsigned int)n : 0;
	if (!(spec->flags & (FMT_LEFT | FMT_ZERO)))
		put_repeat(o, ' ', pad);
	put_chars(o, prefix, prefix_len);
	if ((spec->flags & (FMT_LEFT | FMT_ZERO)) == FMT_ZERO)
		put_repeat(o, '0', pad);
	while (nr_digits)
		put_char(o, tmp[--nr_digits]);
	if (spec->flags & FMT_LEFT)
		put_repeat(o, ' ', pad);
}

static long long arg_signed(enum fmt_length length, va_list *ap)
{
	switch (length) {
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return va_arg(*ap, ptrdiff_t);
	case LEN_INT:
		break;
	}
	return va_arg(*ap, int);
}

static unsigned long long arg_unsigned(enum fmt_length length, va_list *ap)
{
	switch (length) {
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_INT:
		break;
	}
	return va_arg(*ap, unsigned int);
}

/* Parses flags, width and length after a '%'; returns where the conversion character is. */
static const char *parse_spec(const char *p, struct fmt_spec *spec)
{
	*spec = (struct fmt_spec){ 0, 0, LEN_INT };

	for (;; p++) {
		if (*p == '-')
			spec->flags |= FMT_LEFT;
		else if (*p == '0')
			spec->flags |= FMT_ZERO;
		else if (*p == '#')
			spec->flags |= FMT_ALT;
		else
			break;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		if (spec->width < 1000000)
			spec->width = spec->width * 10 + (unsigned int)(*p - '0');
	if (*p == 'l' && p[1] == 'l') {
		spec->length = LEN_LLONG;
		p += 2;
	} else if (*p == 'l') {
		spec->length = LEN_LONG;
		p++;
	} else if (*p == 'z') {
		spec->length = LEN_SIZE;
		p++;
	}
	return p;
}

/* One conversion; false when the character is not one hv/log.h documents. */
static bool put_conversion(struct fmt_out *o, const struct fmt_spec *spec, char conv, va_list *ap)
{
	unsigned long long u;
	long long d;
	const char *s;
	char c;

	switch (conv) {
	case 'd':
	case 'i':
		d = arg_signed(spec->length, ap);
		/* Negate in unsigned arithmetic: -LLONG_MIN does not fit a long long. */
		u = d < 0 ? 0ULL - (unsigned long long)d : (unsigned long long)d;
		put_number(o, spec, d < 0 ? "-" : "", u, 10, false);
		return true;
	case 'u':
		put_number(o, spec, "", arg_unsigned(spec->length, ap), 10, false);
		return true;
	case 'x':
	case 'X':
		u = arg_unsigned(spec->length, ap);
		s = (spec->flags & FMT_ALT) && u ? (conv == 'X' ? "0X" : "0x") : "";
		put_number(o, spec, s, u, 16, conv == 'X');
		return true;
	case 'p':
		put_number(o, spec, "0x", (uintptr_t)va_arg(*ap, void *), 16, false);
		return true;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		put_field(o, spec, s, text_len(s));
		return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_field(o, spec, &c, 1);
		return true;
	case '%':
		put_char(o, '%');
		return true;
	}
	return false;
}

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };
	struct fmt_spec spec;
	const char *start, *conv;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put_char(&o, *fmt++);
			continue;
		}
		start = fmt;
		conv = parse_spec(fmt + 1, &spec);
		if (*conv && put_conversion(&o, &spec, *conv, &args)) {
			fmt = conv + 1;
			continue;
		}
		/* Not a conversion this subset knows: copy it as it stands. */
		put_chars(&o, start, (size_t)(conv - start) + (*conv != '\0'));
		fmt = *conv ? conv + 1 : conv;
	}
	va_end(args);

	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
