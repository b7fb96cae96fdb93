/* mail: RFC 822 messages into records, with GMime. */
#include "mail.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "rfc3339.h"
#include "utf8.h"

/* Headers that, with a header-shaped first line, say "this is mail". */
static const char *mail_headers[] = { "from", "received", "return-path",
	"message-id", "date", "mime-version", "delivered-to", NULL };

int
mail_sniff_start(const char *buf, size_t len)
{
	static const char *also[] = { "subject", "to", "x-", NULL };

	if (len >= 5 && memcmp(buf, "From ", 5) == 0)
		return 1;
	for (int pass = 0; pass < 2; pass++) {
		const char **names = pass ? also : mail_headers;
		for (int h = 0; names[h]; h++) {
			size_t n = strlen(names[h]);
			if (len > n && strncasecmp(buf, names[h], n) == 0 &&
			    (buf[n] == ':' || names[h][n - 1] == '-'))
				return 1;
		}
	}
	return 0;
}

int
mail_sniff(const char *buf, size_t len)
{
	size_t i = 0, nhdr = 0;
	int known = 0;

	if (len >= 5 && memcmp(buf, "From ", 5) == 0)
		return 1;	/* mbox "From " line */
	while (i < len) {
		size_t s = i, colon = 0;
		while (i < len && buf[i] != '\n')
			i++;
		size_t e = i;
		i++;
		if (e > s && buf[e - 1] == '\r')
			e--;
		if (e == s)
			break;	/* the blank line ending the header */
		if (buf[s] == ' ' || buf[s] == '\t') {
			if (nhdr == 0)
				return 0;
			continue;	/* folded header line */
		}
		for (size_t k = s; k < e; k++) {
			unsigned char c = (unsigned char)buf[k];
			if (c == ':') {
				colon = k;
				break;
			}
			if (c <= ' ' || c > '~')
				return 0;
		}
		if (colon == 0 || colon == s)
			return 0;
		nhdr++;
		for (int h = 0; mail_headers[h]; h++)
			if (colon - s == strlen(mail_headers[h]) &&
			    strncasecmp(buf + s, mail_headers[h],
			    colon - s) == 0)
				known = 1;
	}
	return nhdr >= 2 && known;
}

/*
 * GMime and the GLib it stands on add about 3 ms to the start of every
 * process that links them, paid by every one-record pipe although few
 * inputs are mail.  So they are loaded on the first mail, and called
 * through this table.
 */
#define GMIME_CALLS(X) \
	X(void, g_mime_init, (void)) \
	X(GMimeStream *, g_mime_stream_mem_new_with_buffer, \
	    (const char *, size_t)) \
	X(GMimeParser *, g_mime_parser_new_with_stream, (GMimeStream *)) \
	X(void, g_mime_parser_set_format, (GMimeParser *, GMimeFormat)) \
	X(GMimeMessage *, g_mime_parser_construct_message, \
	    (GMimeParser *, GMimeParserOptions *)) \
	X(void, g_object_unref, (gpointer)) \
	X(gboolean, g_type_check_instance_is_a, (GTypeInstance *, GType)) \
	X(GType, g_mime_multipart_get_type, (void)) \
	X(GType, g_mime_message_part_get_type, (void)) \
	X(GType, g_mime_text_part_get_type, (void)) \
	X(int, g_mime_multipart_get_count, (GMimeMultipart *)) \
	X(GMimeObject *, g_mime_multipart_get_part, (GMimeMultipart *, int)) \
	X(GMimeContentType *, g_mime_object_get_content_type, \
	    (GMimeObject *)) \
	X(GMimeContentDisposition *, g_mime_object_get_content_disposition, \
	    (GMimeObject *)) \
	X(gboolean, g_mime_content_disposition_is_attachment, \
	    (GMimeContentDisposition *)) \
	X(gboolean, g_mime_content_type_is_type, \
	    (GMimeContentType *, const char *, const char *)) \
	X(char *, g_mime_text_part_get_text, (GMimeTextPart *)) \
	X(void, g_free, (gpointer)) \
	X(const char *, g_mime_message_get_message_id, (GMimeMessage *)) \
	X(const char *, g_mime_message_get_subject, (GMimeMessage *)) \
	X(InternetAddressList *, g_mime_message_get_from, (GMimeMessage *)) \
	X(int, internet_address_list_length, (InternetAddressList *)) \
	X(InternetAddress *, internet_address_list_get_address, \
	    (InternetAddressList *, int)) \
	X(GType, internet_address_mailbox_get_type, (void)) \
	X(const char *, internet_address_mailbox_get_addr, \
	    (InternetAddressMailbox *)) \
	X(char *, internet_address_list_to_string, \
	    (InternetAddressList *, GMimeFormatOptions *, gboolean)) \
	X(GDateTime *, g_mime_message_get_date, (GMimeMessage *)) \
	X(gint64, g_date_time_to_unix, (GDateTime *)) \
	X(gint, g_date_time_get_microsecond, (GDateTime *))

static struct {
#define FIELD(ret, name, args) ret (*name) args;
	GMIME_CALLS(FIELD)
#undef FIELD
} gm;

/* Load GMime and initialise it once.  0, or -1 with the reason. */
static int
mail_init(char *why, size_t whylen)
{
	static int state;	/* 0 not tried, 1 loaded, -1 failed */
	static char err[256];
	void *h;

	if (state == 0) {
		state = -1;
		h = dlopen("libgmime-3.0.so.0", RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			snprintf(err, sizeof err, "mail needs GMime: %s",
			    dlerror());
			goto out;
		}
#define LOAD(ret, name, args) \
		if (!(*(void **)&gm.name = dlsym(h, #name))) { \
			snprintf(err, sizeof err, "mail needs GMime: %s", \
			    dlerror()); \
			goto out; \
		}
		GMIME_CALLS(LOAD)
#undef LOAD
		gm.g_mime_init();
		state = 1;
	}
out:
	if (state < 0)
		snprintf(why, whylen, "%s", err);
	return state > 0 ? 0 : -1;
}

static int
is_a(void *obj, GType (*type)(void))
{
	return obj && gm.g_type_check_instance_is_a(obj, type());
}

/* The first text/plain part, else the first text part at all. */
static GMimeTextPart *
find_text(GMimeObject *obj, int plain_only)
{
	if (is_a(obj, gm.g_mime_multipart_get_type)) {
		GMimeMultipart *mp = (GMimeMultipart *)obj;
		int n = gm.g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++) {
			GMimeTextPart *t = find_text(
			    gm.g_mime_multipart_get_part(mp, i), plain_only);
			if (t)
				return t;
		}
		return NULL;
	}
	if (is_a(obj, gm.g_mime_message_part_get_type))
		return NULL;	/* a forwarded message is not the report */
	if (is_a(obj, gm.g_mime_text_part_get_type)) {
		GMimeContentType *ct = gm.g_mime_object_get_content_type(obj);
		GMimeContentDisposition *cd =
		    gm.g_mime_object_get_content_disposition(obj);
		if (cd && gm.g_mime_content_disposition_is_attachment(cd))
			return NULL;
		if (!plain_only || gm.g_mime_content_type_is_type(ct, "text",
		    "plain"))
			return (GMimeTextPart *)obj;
	}
	return NULL;
}

static int
all_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

json_t *
mail_record(const char *buf, size_t len, char *why, size_t whylen)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	GMimeTextPart *text;
	InternetAddressList *from;
	json_t *rec = NULL, *meta;
	char *body = NULL, id[160];
	const char *subject, *msgid;
	GDateTime *date;

	if (mail_init(why, whylen) < 0)
		return NULL;
	stream = gm.g_mime_stream_mem_new_with_buffer(buf, len);
	parser = gm.g_mime_parser_new_with_stream(stream);
	gm.g_mime_parser_set_format(parser, len >= 5 &&
	    memcmp(buf, "From ", 5) == 0 ? GMIME_FORMAT_MBOX :
	    GMIME_FORMAT_MESSAGE);
	msg = gm.g_mime_parser_construct_message(parser, NULL);
	gm.g_object_unref(parser);
	gm.g_object_unref(stream);
	if (!msg) {
		snprintf(why, whylen, "not a mail message");
		return NULL;
	}
	text = find_text(msg->mime_part ? msg->mime_part :
	    (GMimeObject *)NULL, 1);
	if (!text && msg->mime_part)
		text = find_text(msg->mime_part, 0);
	if (text)
		body = gm.g_mime_text_part_get_text(text);	/* UTF-8, decoded */
	if (!body || all_blank(body)) {
		snprintf(why, whylen, "mail has no text body");
		goto out;
	}
	if (!utf8_valid(body, strlen(body), NULL)) {
		snprintf(why, whylen, "mail body is not valid text");
		goto out;
	}

	rec = json_object();
	msgid = gm.g_mime_message_get_message_id(msg);
	if (msgid && *msgid) {
		/* FNV-1a of the Message-ID: stable across redelivery. */
		uint64_t h = 14695981039346656037ull;
		for (const unsigned char *c = (const unsigned char *)msgid;
		    *c; c++) {
			h ^= *c;
			h *= 1099511628211ull;
		}
		snprintf(id, sizeof id, "mail-%016llx", (unsigned long long)h);
		json_object_set_new(rec, "id", json_string(id));
	}
	subject = gm.g_mime_message_get_subject(msg);
	if (subject && *subject && utf8_valid(subject, strlen(subject), NULL))
		json_object_set_new(rec, "title", json_string(subject));
	json_object_set_new(rec, "description", json_string(body));
	from = gm.g_mime_message_get_from(msg);
	if (from && gm.internet_address_list_length(from) > 0) {
		InternetAddress *a = gm.internet_address_list_get_address(from, 0);
		if (is_a(a, gm.internet_address_mailbox_get_type)) {
			const char *addr = gm.internet_address_mailbox_get_addr(
			    (InternetAddressMailbox *)a);
			if (addr && utf8_valid(addr, strlen(addr), NULL))
				json_object_set_new(rec, "source",
				    json_string(addr));
		}
	}
	date = gm.g_mime_message_get_date(msg);
	if (date) {
		char t[RFC3339_LEN];
		rfc3339_format(gm.g_date_time_to_unix(date) * 1000000 +
		    gm.g_date_time_get_microsecond(date), t, sizeof t);
		json_object_set_new(rec, "reported_at", json_string(t));
	}
	meta = json_object();
	if (msgid && utf8_valid(msgid, strlen(msgid), NULL))
		json_object_set_new(meta, "message_id", json_string(msgid));
	if (from) {
		char *f = gm.internet_address_list_to_string(from, NULL, FALSE);
		if (f && utf8_valid(f, strlen(f), NULL))
			json_object_set_new(meta, "from", json_string(f));
		gm.g_free(f);
	}
	json_object_set_new(rec, "metadata", meta);
out:
	gm.g_free(body);
	gm.g_object_unref(msg);
	return rec;
}
