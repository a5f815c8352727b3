#include "r4hil/fakelab.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "r4hil/http.h"
#include "r4hil/lab.h"

#define CONTROL_TIMEOUT_MS 120000 /* an advance runs the router's scripts: allow for a slow machine */

struct hil_fakelab {
	pid_t pid;
	char *dir;
	char *lab_file;
	char *log_path;
	char *url;
	char *token;
	int64_t now;
	int now_known;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *default_binary(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return strdup("r4hil-fakelab");
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	char *path;
	if (asprintf(&path, "%s/r4hil-fakelab", self) < 0)
		return NULL;
	return path;
}

/* The last lines of the fake lab's log, to explain why it did not come up. */
static char *log_tail(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return strdup("(no log)");
	char buf[2048];
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static int read_control(struct hil_fakelab *lab)
{
	json_object *root = json_object_from_file(lab->lab_file), *control, *url, *tf;
	if (!root)
		return -ENOENT;
	int ret = -EINVAL;
	if (json_object_object_get_ex(root, "control", &control) &&
	    json_object_object_get_ex(control, "url", &url) &&
	    json_object_object_get_ex(control, "token_file", &tf)) {
		lab->url = strdup(json_object_get_string(url));
		char *err = NULL; /* the caller explains a failure with the lab file's name */
		ret = hil_secret_read_file(json_object_get_string(tf), &lab->token, &err);
		free(err);
	}
	json_object_put(root);
	return ret;
}

static void spawn(const struct hil_fakelab_options *opt, const char *binary, const char *log_path)
{
	char *argv[64];
	int n = 0;
	argv[n++] = (char *)binary;
	argv[n++] = "--dir";
	argv[n++] = (char *)opt->dir;
	argv[n++] = "--quiet";
	for (const char *const *o = opt->overlays; o && *o && n < 50; o++) {
		argv[n++] = "--overlay";
		argv[n++] = (char *)*o;
	}
	if (opt->automations) {
		argv[n++] = "--automations";
		argv[n++] = (char *)opt->automations;
	}
	if (opt->ha_config) {
		argv[n++] = "--ha-config";
		argv[n++] = (char *)opt->ha_config;
	}
	if (opt->plug) {
		argv[n++] = "--plug";
		argv[n++] = (char *)opt->plug;
	}
	argv[n] = NULL;
	int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int in = open("/dev/null", O_RDONLY);
	if (fd < 0 || in < 0)
		_exit(126);
	dup2(in, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	/* Its own process group: Ctrl-C reaches the harness, which stops the lab in order. */
	setpgid(0, 0);
	/*
	 * A harness that dies without stopping it (a crashed test, SIGKILL) must not
	 * leave a lab running: the lab ends with the thread that started it.
	 */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* nothing of the harness's (other labs' sockets, when scenarios run in parallel) */
	syscall(SYS_close_range, 3, ~0U, 0);
	execv(binary, argv);
	_exit(127);
}

int hil_fakelab_check_inputs(const struct hil_fakelab_options *opt, char **err)
{
	char *binary = opt->binary ? strdup(opt->binary) : default_binary();
	int out[2];
	if (!binary || pipe2(out, O_CLOEXEC) < 0) {
		free(binary);
		return -errno;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[8];
		int n = 0;
		argv[n++] = binary;
		argv[n++] = "--check";
		if (opt->automations)
			argv[n++] = "--automations", argv[n++] = (char *)opt->automations;
		if (opt->ha_config)
			argv[n++] = "--ha-config", argv[n++] = (char *)opt->ha_config;
		argv[n] = NULL;
		dup2(out[1], 2);
		execv(binary, argv);
		_exit(127);
	}
	close(out[1]);
	char msg[4096];
	size_t len = 0;
	ssize_t n;
	while (pid > 0 && len < sizeof(msg) - 1 &&
	       ((n = read(out[0], msg + len, sizeof(msg) - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	close(out[0]);
	msg[len] = '\0';
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int ret = pid < 0 ? -errno : WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EINVAL;
	if (ret < 0) {
		while (len > 0 && msg[len - 1] == '\n')
			msg[--len] = '\0';
		const char *text = strncmp(msg, "r4hil-fakelab: ", 15) == 0 ? msg + 15 : msg;
		if (asprintf(err, "%s", *text ? text : "the fake lab could not check its inputs") < 0)
			*err = NULL;
	}
	free(binary);
	return ret;
}

struct hil_fakelab *hil_fakelab_start(const struct hil_fakelab_options *opt, char **err)
{
	struct hil_fakelab *lab = calloc(1, sizeof(*lab));
	char *binary = opt->binary ? strdup(opt->binary) : default_binary();
	if (!lab || !binary)
		goto err_free;
	lab->dir = strdup(opt->dir);
	if (mkdir(opt->dir, 0700) < 0 && errno != EEXIST) {
		if (asprintf(err, "failed to create %s: %s", opt->dir, strerror(errno)) < 0)
			*err = NULL;
		goto err_free;
	}
	if (asprintf(&lab->lab_file, "%s/lab.json", opt->dir) < 0)
		goto err_free;
	if (opt->log_path)
		lab->log_path = strdup(opt->log_path);
	else if (asprintf(&lab->log_path, "%s/fakelab.log", opt->dir) < 0)
		goto err_free;
	unlink(lab->lab_file);
	lab->pid = fork();
	if (lab->pid < 0)
		goto err_free;
	if (lab->pid == 0)
		spawn(opt, binary, lab->log_path);

	int64_t deadline = mono_ms() + 30000;
	int status;
	while (access(lab->lab_file, R_OK) != 0) {
		int exited = waitpid(lab->pid, &status, WNOHANG) == lab->pid;
		if (exited || mono_ms() > deadline) {
			char how[64] = "no lab file after 30 s";
			if (exited && WIFSIGNALED(status))
				snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(status));
			else if (exited)
				snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
			if (exited)
				lab->pid = 0;
			char *tail = log_tail(lab->log_path);
			if (asprintf(err, "the fake lab did not come up (%s; log %s):\n%s", how, lab->log_path, tail) < 0)
				*err = NULL;
			free(tail);
			goto err_kill;
		}
		usleep(20000);
	}
	usleep(20000); /* lab.json is written in one go; let the writer close it */
	if (read_control(lab) < 0) {
		if (asprintf(err, "failed to read the control endpoint from %s", lab->lab_file) < 0)
			*err = NULL;
		goto err_kill;
	}
	free(binary);
	return lab;

err_kill:
	if (lab->pid > 0) {
		kill(lab->pid, SIGKILL);
		waitpid(lab->pid, NULL, 0);
		lab->pid = 0;
	}
err_free:
	free(binary);
	hil_fakelab_stop(lab);
	return NULL;
}

struct hil_fakelab *hil_fakelab_attach(const char *control_url, const char *control_token)
{
	struct hil_fakelab *lab = calloc(1, sizeof(*lab));
	if (!lab)
		return NULL;
	lab->url = strdup(control_url);
	lab->token = strdup(control_token);
	return lab;
}

const char *hil_fakelab_lab_file(const struct hil_fakelab *lab)
{
	return lab->lab_file;
}

/* One control call; the reply's now_ms, when present, refreshes the cached time. */
static int control(struct hil_fakelab *lab, const char *method, const char *path, const char *body,
		   char **reply, char **err)
{
	char *url;
	if (asprintf(&url, "%s%s", lab->url, path) < 0)
		return -ENOMEM;
	struct hil_http_resp resp = { 0 };
	int ret = hil_http_request(method, url, lab->token, body, CONTROL_TIMEOUT_MS, &resp, err);
	free(url);
	if (ret < 0)
		return ret;
	if (resp.status != 200) {
		if (asprintf(err, "fake lab control %s %s: HTTP %ld: %s", method, path, resp.status,
			     resp.body ? resp.body : "") < 0)
			*err = NULL;
		hil_http_resp_free(&resp);
		return -EPROTO;
	}
	json_object *o = json_tokener_parse(resp.body ? resp.body : "");
	json_object *now;
	if (o && json_object_object_get_ex(o, "now_ms", &now)) {
		lab->now = json_object_get_int64(now);
		lab->now_known = 1;
	}
	json_object_put(o);
	if (reply)
		*reply = resp.body, resp.body = NULL;
	hil_http_resp_free(&resp);
	return 0;
}

int hil_fakelab_now(struct hil_fakelab *lab, int64_t *now, char **err)
{
	if (!lab->now_known) {
		int ret = control(lab, "GET", "/control/time", NULL, NULL, err);
		if (ret < 0)
			return ret;
	}
	*now = lab->now;
	return 0;
}

int hil_fakelab_advance(struct hil_fakelab *lab, int64_t to_ms, char **err)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"to_ms\":%lld}", (long long)to_ms);
	lab->now_known = 0;
	return control(lab, "POST", "/control/advance", body, NULL, err);
}

int hil_fakelab_inject(struct hil_fakelab *lab, const char *name, const char *params_json, char **err)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object *params = json_tokener_parse(params_json ? params_json : "{}");
	json_object_object_add(o, "params", params ? params : json_object_new_object());
	int ret = control(lab, "POST", "/control/inject", json_object_to_json_string(o), NULL, err);
	json_object_put(o);
	return ret;
}

int hil_fakelab_fault(struct hil_fakelab *lab, const char *target, const char *mode, char **err)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "target", json_object_new_string(target));
	json_object_object_add(o, "mode", json_object_new_string(mode));
	int ret = control(lab, "POST", "/control/fault", json_object_to_json_string(o), NULL, err);
	json_object_put(o);
	return ret;
}

int hil_fakelab_truth(struct hil_fakelab *lab, char **text, char **err)
{
	return control(lab, "GET", "/control/truth", NULL, text, err);
}

void hil_fakelab_stop(struct hil_fakelab *lab)
{
	if (!lab)
		return;
	if (lab->pid > 0) {
		char *err = NULL;
		control(lab, "POST", "/control/shutdown", NULL, NULL, &err);
		free(err);
		int64_t deadline = mono_ms() + 10000;
		while (waitpid(lab->pid, NULL, WNOHANG) != lab->pid) {
			if (mono_ms() > deadline) {
				kill(lab->pid, SIGKILL);
				waitpid(lab->pid, NULL, 0);
				break;
			}
			usleep(10000);
		}
	}
	free(lab->dir);
	free(lab->lab_file);
	free(lab->log_path);
	free(lab->url);
	free(lab->token);
	free(lab);
}
