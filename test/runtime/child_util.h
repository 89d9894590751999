/*
 * child_util.h -- runs the test program itself again as "self child" with
 * one environment setting, capturing its output (header-only; for tests of
 * environment variables, whose effect is read at pool start).
 *   ws_child_run(self, "NAME=value", &res)  every WS_* variable of ours
 *                                            removed, the setting added
 *   ws_child_ws_lines(text)                 lines starting "ws: "
 */
#ifndef WS_CHILD_UTIL_H
#define WS_CHILD_UTIL_H

#include "test_util.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct ws_child_result {
  char out[4096], err[8192];
  int status; /* as waitpid gives it */
} ws_child_result;

static inline void ws_child_read_all(int fd, char *buf, size_t cap) {
  size_t n = 0;
  ssize_t r;
  while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
    n += (size_t)r;
  buf[n] = '\0';
}

static inline void ws_child_run(const char *self, const char *setting,
                                ws_child_result *res) {
  char *env[256];
  int ne = 0;
  for (char **e = environ; *e && ne < 250; e++)
    if (strncmp(*e, "WS_", 3) != 0)
      env[ne++] = *e;
  env[ne++] = (char *)setting;
  env[ne] = NULL;
  int out[2], err[2];
  if (pipe(out) || pipe(err)) {
    perror("pipe");
    exit(1);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addclose(&fa, err[0]);
  char *argv[] = {(char *)self, "child", NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, self, &fa, NULL, argv, env);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  CHECK(rc == 0, "posix_spawn: %d", rc);
  ws_child_read_all(out[0], res->out, sizeof res->out);
  ws_child_read_all(err[0], res->err, sizeof res->err);
  close(out[0]);
  close(err[0]);
  res->status = -1;
  if (rc == 0)
    waitpid(pid, &res->status, 0);
}

/* A sanitizer report on stderr would also be "a line": count only ours. */
static inline int ws_child_ws_lines(const char *s) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, "ws: ")); p++)
    if (p == s || p[-1] == '\n')
      n++;
  return n;
}

#endif /* WS_CHILD_UTIL_H */
