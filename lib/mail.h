/*
 * mail: an RFC 822 message as a record, parsed with GMime (MIME structure,
 * quoted-printable and base64, RFC 2047 encoded words and charsets are
 * its job, not ours: they are where hand-written mail parsers break).
 *
 * Subject becomes the title, the first text/plain part (else the first
 * text part) the description, the From address the source, Date the
 * reported_at.  The id comes from the Message-ID, so a message delivered
 * twice is one incident.
 */
#ifndef INC_MAIL_H
#define INC_MAIL_H

#include <stddef.h>
#include <jansson.h>

/*
 * 1 if the first line of buf could open a mail: an mbox "From " line or a
 * header such as From:, Received:, Subject: (worth reading the whole
 * header block to decide with mail_sniff()).
 */
int mail_sniff_start(const char *buf, size_t len);

/* 1 if buf looks like the start of a mail message (a header block). */
int mail_sniff(const char *buf, size_t len);

/*
 * Parse a whole message.  Returns a new record (without inc-ingest's own
 * keys), or NULL with a reason in why.
 */
json_t *mail_record(const char *buf, size_t len, char *why, size_t whylen);

#endif
