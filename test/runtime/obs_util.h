/*
 * obs_util.h -- helpers for the observability tests (test_obs_*.c),
 * header-only:
 *   obs_json_parse(text)       a strict JSON reader (RFC 8259) building a
 *                              tree; NULL and a message on stderr if invalid
 *   obs_get / obs_at / obs_num / obs_str / obs_len   tree access
 *   obs_slurp(path)            a whole file, NUL-terminated (malloc'd)
 *   obs_temp_path(buf, tag)    a fresh, empty temporary file's path
 *   obs_capture_begin / _end   redirect fd 2 to a file and read it back
 *   obs_count(hay, needle)     occurrences of needle
 * Tests set WS_* variables with setenv before the pool starts (ws_init):
 * the runtime reads its environment then, so no child process is needed.
 */
#ifndef WS_OBS_UTIL_H
#define WS_OBS_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- JSON -----------------------------------------------------------------
 */

enum { OBS_NULL, OBS_BOOL, OBS_NUM, OBS_STR, OBS_ARR, OBS_OBJ };

typedef struct obs_json {
  int type;
  double num;              /* OBS_NUM, OBS_BOOL (0/1) */
  char *str;               /* OBS_STR */
  struct obs_json **items; /* OBS_ARR, OBS_OBJ values */
  char **keys;             /* OBS_OBJ */
  size_t n, cap;
} obs_json;

typedef struct obs_parser {
  const char *s, *start;
  int failed;
} obs_parser;

static inline void obs_json_free(obs_json *v) {
  if (!v)
    return;
  for (size_t i = 0; i < v->n; i++) {
    obs_json_free(v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

static inline void obs_fail(obs_parser *p, const char *what) {
  if (!p->failed)
    fprintf(stderr, "JSON error at byte %ld: %s\n", (long)(p->s - p->start),
            what);
  p->failed = 1;
}

static inline void obs_ws(obs_parser *p) {
  while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
    p->s++;
}

static inline obs_json *obs_value(obs_parser *p, int depth);

static inline void obs_push(obs_json *v, obs_json *item, char *key) {
  if (v->n == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 8;
    v->items = realloc(v->items, v->cap * sizeof *v->items);
    if (v->type == OBS_OBJ)
      v->keys = realloc(v->keys, v->cap * sizeof *v->keys);
    if (!v->items || (v->type == OBS_OBJ && !v->keys)) {
      fprintf(stderr, "out of memory\n");
      exit(2);
    }
  }
  v->items[v->n] = item;
  if (v->type == OBS_OBJ)
    v->keys[v->n] = key;
  v->n++;
}

static inline void obs_utf8(char **o, unsigned cp) {
  if (cp < 0x80) {
    *(*o)++ = (char)cp;
  } else if (cp < 0x800) {
    *(*o)++ = (char)(0xC0 | (cp >> 6));
    *(*o)++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *(*o)++ = (char)(0xE0 | (cp >> 12));
    *(*o)++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *(*o)++ = (char)(0x80 | (cp & 0x3F));
  }
}

/* A string literal (at the opening quote); malloc'd, NULL on error. */
static inline char *obs_string(obs_parser *p) {
  if (*p->s != '"') {
    obs_fail(p, "expected a string");
    return NULL;
  }
  p->s++;
  const char *b = p->s;
  while (*p->s && *p->s != '"')
    p->s += (*p->s == '\\' && p->s[1]) ? 2 : 1;
  if (*p->s != '"') {
    obs_fail(p, "unterminated string");
    return NULL;
  }
  char *out = malloc((size_t)(p->s - b) * 3 + 1), *o = out;
  for (const char *c = b; c < p->s; c++) {
    if ((unsigned char)*c < 0x20) {
      obs_fail(p, "control character in a string");
      break;
    }
    if (*c != '\\') {
      *o++ = *c;
      continue;
    }
    c++;
    switch (*c) {
    case '"':
      *o++ = '"';
      break;
    case '\\':
      *o++ = '\\';
      break;
    case '/':
      *o++ = '/';
      break;
    case 'b':
      *o++ = '\b';
      break;
    case 'f':
      *o++ = '\f';
      break;
    case 'n':
      *o++ = '\n';
      break;
    case 'r':
      *o++ = '\r';
      break;
    case 't':
      *o++ = '\t';
      break;
    case 'u': {
      unsigned cp = 0;
      for (int i = 1; i <= 4; i++) {
        char h = c[i];
        int d = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        if (d < 0) {
          obs_fail(p, "bad \\u escape");
          break;
        }
        cp = cp * 16 + (unsigned)d;
      }
      c += 4;
      obs_utf8(&o, cp);
      break;
    }
    default:
      obs_fail(p, "bad escape");
    }
  }
  *o = '\0';
  p->s++;
  return out;
}

static inline obs_json *obs_new(int type) {
  obs_json *v = calloc(1, sizeof *v);
  if (!v) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  v->type = type;
  return v;
}

static inline obs_json *obs_number(obs_parser *p) {
  const char *b = p->s;
  if (*p->s == '-')
    p->s++;
  if (*p->s == '0')
    p->s++;
  else if (*p->s >= '1' && *p->s <= '9')
    while (*p->s >= '0' && *p->s <= '9')
      p->s++;
  else {
    obs_fail(p, "bad number");
    return NULL;
  }
  if (*p->s == '.') {
    p->s++;
    if (!(*p->s >= '0' && *p->s <= '9')) {
      obs_fail(p, "bad fraction");
      return NULL;
    }
    while (*p->s >= '0' && *p->s <= '9')
      p->s++;
  }
  if (*p->s == 'e' || *p->s == 'E') {
    p->s++;
    if (*p->s == '+' || *p->s == '-')
      p->s++;
    if (!(*p->s >= '0' && *p->s <= '9')) {
      obs_fail(p, "bad exponent");
      return NULL;
    }
    while (*p->s >= '0' && *p->s <= '9')
      p->s++;
  }
  obs_json *v = obs_new(OBS_NUM);
  v->num = strtod(b, NULL);
  return v;
}

static inline obs_json *obs_value(obs_parser *p, int depth) {
  obs_ws(p);
  if (depth > 64) {
    obs_fail(p, "nested too deep");
    return NULL;
  }
  obs_json *v = NULL;
  if (*p->s == '{' || *p->s == '[') {
    int obj = *p->s == '{';
    char close = obj ? '}' : ']';
    v = obs_new(obj ? OBS_OBJ : OBS_ARR);
    p->s++;
    obs_ws(p);
    if (*p->s == close) {
      p->s++;
      return v;
    }
    for (;;) {
      char *key = NULL;
      obs_ws(p);
      if (obj) {
        key = obs_string(p);
        obs_ws(p);
        if (!key || *p->s != ':') {
          free(key);
          obs_fail(p, "expected a key and ':'");
          break;
        }
        p->s++;
      }
      obs_json *item = obs_value(p, depth + 1);
      if (!item) {
        free(key);
        break;
      }
      obs_push(v, item, key);
      obs_ws(p);
      if (*p->s == ',') {
        p->s++;
        continue;
      }
      if (*p->s == close) {
        p->s++;
        return v;
      }
      obs_fail(p, "expected ',' or a closing bracket");
      break;
    }
    obs_json_free(v);
    return NULL;
  }
  if (*p->s == '"') {
    char *s = obs_string(p);
    if (!s)
      return NULL;
    v = obs_new(OBS_STR);
    v->str = s;
    return v;
  }
  if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "false", 5)) {
    v = obs_new(OBS_BOOL);
    v->num = *p->s == 't';
    p->s += *p->s == 't' ? 4 : 5;
    return v;
  }
  if (!strncmp(p->s, "null", 4)) {
    p->s += 4;
    return obs_new(OBS_NULL);
  }
  return obs_number(p);
}

/* The whole text must be one JSON value. */
static inline obs_json *obs_json_parse(const char *text) {
  obs_parser p = {text, text, 0};
  obs_json *v = obs_value(&p, 0);
  obs_ws(&p);
  if (v && (*p.s || p.failed)) {
    obs_fail(&p, "trailing bytes after the value");
    obs_json_free(v);
    return NULL;
  }
  return p.failed ? (obs_json_free(v), NULL) : v;
}

/* NULL when v is not an object or has no such key. */
static inline const obs_json *obs_get(const obs_json *v, const char *key) {
  if (!v || v->type != OBS_OBJ)
    return NULL;
  for (size_t i = 0; i < v->n; i++)
    if (!strcmp(v->keys[i], key))
      return v->items[i];
  return NULL;
}

static inline const obs_json *obs_at(const obs_json *v, size_t i) {
  return v && v->type == OBS_ARR && i < v->n ? v->items[i] : NULL;
}

static inline size_t obs_len(const obs_json *v) {
  return v && (v->type == OBS_ARR || v->type == OBS_OBJ) ? v->n : 0;
}

/* -1 when v is not a number (the tests' numbers are never negative). */
static inline double obs_num(const obs_json *v) {
  return v && v->type == OBS_NUM ? v->num : -1;
}

/* "" when v is not a string. */
static inline const char *obs_str(const obs_json *v) {
  return v && v->type == OBS_STR ? v->str : "";
}

/* ---- Files and stderr ---------------------------------------------------- */

static inline char *obs_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += r;
    if (cap - n - 1 == 0) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
  }
  fclose(f);
  if (buf)
    buf[n] = '\0';
  return buf;
}

static inline void obs_temp_path(char *buf, size_t size, const char *tag) {
  const char *dir = getenv("TMPDIR");
  snprintf(buf, size, "%s/ws-%s-XXXXXX", dir && *dir ? dir : "/tmp", tag);
  int fd = mkstemp(buf);
  if (fd < 0) {
    perror("mkstemp");
    exit(2);
  }
  close(fd);
}

typedef struct obs_capture {
  int saved;
  char path[256];
} obs_capture;

static inline void obs_capture_begin(obs_capture *c) {
  obs_temp_path(c->path, sizeof c->path, "stderr");
  fflush(stderr);
  c->saved = dup(2);
  FILE *f = fopen(c->path, "w");
  if (!f || c->saved < 0) {
    perror("capture");
    exit(2);
  }
  dup2(fileno(f), 2);
  fclose(f);
}

/* Restores stderr; returns what was written meanwhile (malloc'd), and
 * echoes it so that a failing test's log shows it. */
static inline char *obs_capture_end(obs_capture *c) {
  fflush(stderr);
  dup2(c->saved, 2);
  close(c->saved);
  char *text = obs_slurp(c->path);
  unlink(c->path);
  if (!text)
    text = calloc(1, 1);
  fprintf(stderr, "[captured stderr]\n%s[end]\n", text);
  return text;
}

static inline int obs_count(const char *hay, const char *needle) {
  int n = 0;
  size_t len = strlen(needle);
  for (const char *p = hay; (p = strstr(p, needle)); p += len)
    n++;
  return n;
}

#endif /* WS_OBS_UTIL_H */
