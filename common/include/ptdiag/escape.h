/* SPDX-License-Identifier: MIT */
/*
 * Escaping for every renderer, of text it did not write (issue 13): host and guest documents,
 * VM configs written by other cluster users, `qm` output. A guest controls its document, so a
 * host name can hold a terminal escape, a newline and a backtick, or bytes that are not UTF-8.
 *
 * Text (terminal): C0 controls, DEL, C1 controls (U+0080..U+009F), the bidirectional
 * overrides and isolates (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069, U+061C) and every
 * byte that is not part of valid UTF-8 become visible escapes: "\n", "\t", "\r", "\e",
 * "\xHH" for other bytes, "\uHHHH" for code points. Backslash itself is kept (Windows paths),
 * so the escapes are for the reader, not reversible.
 *
 * Markdown: untrusted text goes into a code span (control characters escaped as above, the
 * delimiter longer than any backtick run inside, `|` escaped in table cells) or into escaped
 * text (ASCII punctuation backslash-escaped, so nothing starts a link, an autolink, an image,
 * an HTML tag, an entity, emphasis, a heading, a list or a table cell).
 *
 * Ownership: the _dup functions return malloc'd strings the caller frees (NULL on allocation
 * failure); the writers write to a FILE the caller owns.
 */
#ifndef PTDIAG_ESCAPE_H
#define PTDIAG_ESCAPE_H

#include <stdio.h>

enum {
    PTD_ESC_KEEP_NL = 1u << 0, /* text: keep '\n' (multi-line text the caller indents) */
    PTD_ESC_MD_CELL = 1u << 1  /* Markdown: the output sits inside a table cell */
};

/* Text for a terminal. s NULL writes nothing. */
void ptd_esc_text(FILE *out, const char *s, unsigned flags);
char *ptd_esc_text_dup(const char *s, unsigned flags);

/* s text-escaped into one of 16 static slots of 1 KiB, for the strings of one printf (not
 * thread-safe; every ptdiag printer is single-threaded). Cut at a character boundary to at most
 * max bytes (0: the slot's size). NULL gives "". */
const char *ptd_esc_tmp(const char *s, size_t max);

/* Markdown inline code span, delimiters included (` `` ` for an empty string). */
void ptd_esc_md_code(FILE *out, const char *s, unsigned flags);
/* Markdown escaped text: renders as exactly the (text-escaped) characters of s. Newlines become
 * spaces in a table cell and hard line breaks elsewhere. */
void ptd_esc_md_text(FILE *out, const char *s, unsigned flags);

/* A Prometheus label value's inside (text exposition format: \\, \" and \n escaped), after
 * the text escaping above, so the file holds no control character and only valid UTF-8. */
void ptd_esc_prom_label(FILE *out, const char *s);

/* Serialised JSON made safe to print: DEL, C1 and bidirectional controls inside strings
 * become \uHHHH, a byte that is not valid UTF-8 becomes \ufffd. (cJSON escapes C0 itself but
 * copies everything else.) */
char *ptd_esc_json_dup(const char *json);

/* HTML text or attribute value (for the HTML report to come): & < > " ' as entities, control
 * characters as in text. */
void ptd_esc_html(FILE *out, const char *s);

#endif
