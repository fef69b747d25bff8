/*
 * Memory safety of the ppcmk C ABI, written to run under valgrind
 * (tests/valgrind.rs): open/invoke/free/close, every error path of the ABI
 * (NULL pointers, invalid JSON, non-UTF-8 bytes, unknown command, bad
 * parameters, oversized and deeply nested requests), progress callbacks, and
 * four threads sharing one handle. Every string the library returns is freed,
 * so valgrind's leak check sees any the library itself loses.
 *
 * Double close and double free are not tested: the header defines them as
 * undefined behaviour (a handle or string "not yet closed/freed").
 * No RSA key is generated: under valgrind it costs seconds and crosses no
 * boundary code that the cheap commands do not.
 *
 * Usage: abi_stress <empty-folder>. Exit 0 when every check passes.
 */
#include "ppcmk.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

#define CHECK(cond, ...)                                          \
    do {                                                          \
        if (!(cond)) {                                            \
            pthread_mutex_lock(&report_lock);                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);  \
            fprintf(stderr, __VA_ARGS__);                         \
            fprintf(stderr, "\n");                                \
            failures++;                                           \
            pthread_mutex_unlock(&report_lock);                   \
        }                                                         \
    } while (0)

/* At most this much of a response is printed in a failure message. */
#define SHOWN 300

/* Invokes, checks the response holds `needle`, frees it. */
static void expect(const ppcmk_store *store, const char *request, const char *needle) {
    char *response = ppcmk_invoke(store, request);
    CHECK(response != NULL, "NULL response for %.*s", SHOWN, request ? request : "(NULL)");
    if (response == NULL) return;
    CHECK(strstr(response, needle) != NULL, "response to %.*s lacks %s: %.*s", SHOWN,
          request ? request : "(NULL)", needle, SHOWN, response);
    ppcmk_string_free(response);
}

static int count_occurrences(const char *haystack, const char *needle) {
    int n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* How many users whose display name starts with `prefix`. */
static int count_users(const ppcmk_store *store, const char *prefix) {
    char request[256];
    snprintf(request, sizeof request, "{\"command\":\"Get-AzADUser\",\"parameters\":{\"StartsWith\":\"%s\"}}", prefix);
    char *r = ppcmk_invoke(store, request);
    int n = r && strstr(r, "\"ok\":true") ? count_occurrences(r, "\"UserPrincipalName\"") : -1;
    ppcmk_string_free(r);
    return n;
}

/* Progress: counts well-formed events and checks they arrive on the invoking thread. */
struct progress_seen {
    pthread_t thread;
    int events;
    int wrong_thread;
    size_t bytes;
};

static void on_progress(const char *event_json, void *user_data) {
    struct progress_seen *seen = user_data;
    if (!pthread_equal(seen->thread, pthread_self())) seen->wrong_thread++;
    /* Reading every byte lets valgrind check the event is valid memory. */
    seen->bytes += strlen(event_json);
    if (strstr(event_json, "\"percentComplete\"") && strstr(event_json, "\"activity\"")) seen->events++;
}

static void never_called(const char *event_json, void *user_data) {
    (void)event_json;
    int *calls = user_data;
    (*calls)++;
}

#define ENVIRONMENT "Default-aaaabbbb-0000-cccc-1111-dddd2222eeee"
#define THREADS 4
#define ROUNDS 6

struct worker {
    const ppcmk_store *store;
    int id;
    int created;
    int progress_events;
};

/* Each round: a write, a read, an error response and a long operation with progress. */
static void *work(void *arg) {
    struct worker *w = arg;
    char request[512];
    for (int i = 0; i < ROUNDS; i++) {
        snprintf(request, sizeof request,
                 "{\"command\":\"New-AzADUser\",\"parameters\":{\"DisplayName\":\"Stress %d-%d\","
                 "\"UserPrincipalName\":\"s%dr%d@contoso.onmicrosoft.com\"}}",
                 w->id, i, w->id, i);
        char *r = ppcmk_invoke(w->store, request);
        if (r && strstr(r, "\"ok\":true")) w->created++;
        else CHECK(0, "thread %d: %.*s", w->id, SHOWN, r ? r : "(NULL)");
        ppcmk_string_free(r);

        expect(w->store, "{\"command\":\"Get-AzContext\"}", "admin@contoso.onmicrosoft.com");
        expect(w->store, "{\"command\":\"Get-NoSuchThing\"}", "\"code\":\"CommandNotFound\"");
        expect(w->store, "{\"command\":\"New-AzADUser\",\"parameters\":{\"DisplayName\":\"x\"}}",
               "\"code\":\"MissingMandatoryParameter\"");

        if (i == 0) {
            struct progress_seen seen = {pthread_self(), 0, 0, 0};
            r = ppcmk_invoke_with_progress(w->store,
                                           "{\"command\":\"New-PpCmkSampleData\",\"parameters\":{\"EnvironmentName\":"
                                           "\"" ENVIRONMENT "\",\"Records\":1500,\"RecordSize\":64}}",
                                           on_progress, &seen);
            CHECK(r && strstr(r, "\"ok\":true"), "thread %d sample data: %.*s", w->id, SHOWN, r ? r : "(NULL)");
            ppcmk_string_free(r);
            CHECK(seen.wrong_thread == 0, "thread %d: %d progress events on another thread", w->id, seen.wrong_thread);
            w->progress_events = seen.events;
        }
    }
    return NULL;
}

/* A request of `size` bytes: `{"command":"Get-AzContext","parameters":{"x":"aaaa...a"}}`. */
static char *big_string_request(const char *command, const char *param, size_t size) {
    char head[256];
    int n = snprintf(head, sizeof head, "{\"command\":\"%s\",\"parameters\":{\"%s\":\"", command, param);
    const char *tail = "\"}}";
    char *request = malloc(size + 1);
    if (!request) return NULL;
    memcpy(request, head, (size_t)n);
    memset(request + n, 'a', size - (size_t)n - strlen(tail));
    memcpy(request + size - strlen(tail), tail, strlen(tail) + 1);
    return request;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <empty-folder>\n", argv[0]);
        return 2;
    }
    char home[4096], not_a_folder[4096];
    snprintf(home, sizeof home, "%s/store", argv[1]);
    snprintf(not_a_folder, sizeof not_a_folder, "%s/a-file", argv[1]);

    const char *version = ppcmk_version();
    CHECK(version != NULL && strlen(version) > 0, "version");

    /* ---- open: NULL arguments, non-UTF-8 and unusable folders ---- */
    char *error = (char *)1;
    CHECK(ppcmk_open(home, NULL, NULL) == PPCMK_NULL_ARGUMENT, "open with NULL store_out");
    CHECK(ppcmk_open(home, NULL, &error) == PPCMK_NULL_ARGUMENT && error == NULL, "NULL store_out clears error_out");
    ppcmk_string_free(NULL);
    ppcmk_close(NULL);

    ppcmk_store *store = (ppcmk_store *)1;
    error = NULL;
    CHECK(ppcmk_open("/tmp/\xff\xfe-not-utf8", &store, &error) == PPCMK_ERROR && store == NULL,
          "non-UTF-8 home accepted");
    CHECK(error && strstr(error, "\"code\":\"InvalidRequest\"") && strstr(error, "UTF-8"), "non-UTF-8 home: %s",
          error ? error : "(NULL)");
    ppcmk_string_free(error);
    /* The same failure with error_out NULL: nothing is allocated for nobody to free. */
    CHECK(ppcmk_open("/tmp/\xff\xfe-not-utf8", &store, NULL) == PPCMK_ERROR && store == NULL, "no error_out");

    FILE *f = fopen(not_a_folder, "w");
    CHECK(f != NULL, "create %s", not_a_folder);
    if (f) fclose(f);
    error = NULL;
    CHECK(ppcmk_open(not_a_folder, &store, &error) == PPCMK_ERROR && store == NULL, "a file as the store folder");
    CHECK(error && strstr(error, "\"code\":\"StoreError\""), "file as folder: %s", error ? error : "(NULL)");
    ppcmk_string_free(error);

    /* NULL home: the folder PPCMK_HOME names (the test sets it). */
    error = NULL;
    ppcmk_status status = ppcmk_open(NULL, &store, &error);
    CHECK(status == PPCMK_OK && store != NULL && error == NULL, "open(NULL): %d %s", status, error ? error : "");
    if (status == PPCMK_OK) {
        expect(store, "{\"command\":\"Get-AzContext\"}", "\"ok\":true");
        ppcmk_close(store);
    }

    store = NULL;
    error = NULL;
    status = ppcmk_open(home, &store, &error);
    CHECK(status == PPCMK_OK && store != NULL && error == NULL, "open %s: %d %s", home, status, error ? error : "");
    if (status != PPCMK_OK) return 1;

    /* ---- invoke: every error response, each with its stable code ---- */
    char *r = ppcmk_invoke(NULL, "{\"command\":\"Get-AzContext\"}");
    CHECK(r && strstr(r, "\"code\":\"InvalidRequest\"") && strstr(r, "NULL"), "NULL store: %s", r ? r : "(NULL)");
    ppcmk_string_free(r);
    expect(store, NULL, "\"code\":\"InvalidRequest\"");
    r = ppcmk_invoke_with_progress(NULL, NULL, NULL, NULL);
    CHECK(r && strstr(r, "\"code\":\"InvalidRequest\""), "all NULL: %s", r ? r : "(NULL)");
    ppcmk_string_free(r);

    static const char *const bad[][2] = {
        {"", "\"code\":\"InvalidRequest\""},
        {"not json", "\"code\":\"InvalidRequest\""},
        {"{\"command\":", "\"code\":\"InvalidRequest\""},
        {"[1,2]", "\"code\":\"InvalidRequest\""},
        {"null", "\"code\":\"InvalidRequest\""},
        {"{}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":42}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"Get-AzContext\",\"extra\":1}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"Get-AzContext\",\"parameters\":[]}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"Get-AzContext\",\"account\":5}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"Get-AzContext\",\"network\":\"moon\"}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"Get-AzContext\",\"x\":1e400}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"Get-AzContext\\ud800\"}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"Get-AzContext\xff\xfe\"}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"\xc3\"}", "\"code\":\"InvalidRequest\""},
        {"{\"command\":\"Get-Nothing\"}", "\"code\":\"CommandNotFound\""},
        {"{\"command\":\"\"}", "\"code\":\"CommandNotFound\""},
        {"{\"command\":\"Get-AzContext\",\"account\":\"nobody@nowhere.example\"}", "\"code\":\"NotSignedIn\""},
        {"{\"command\":\"New-AzADUser\",\"parameters\":{\"DisplayName\":\"x\"}}", "\"code\":\"MissingMandatoryParameter\""},
        {"{\"command\":\"Get-AzContext\",\"parameters\":{\"Bogus\":1}}", "\"code\":\"ParameterNotFound\""},
        {"{\"command\":\"Set-PpCmkClock\",\"parameters\":{\"AdvanceDays\":-1}}", "\"code\":\"ParameterValidationFailed\""},
        {"{\"command\":\"Set-PpCmkClock\",\"parameters\":{\"AdvanceDays\":99999999999999999999}}",
         "\"code\":\"ParameterBindingFailed\""},
        {"{\"command\":\"Set-PpCmkClock\",\"parameters\":{\"AdvanceDays\":-9223372036854775808}}",
         "\"code\":\"ParameterValidationFailed\""},
        {"{\"command\":\"Set-PpCmkClock\",\"parameters\":{\"AdvanceDays\":1.5}}", "\"code\":\"ParameterBindingFailed\""},
        {"{\"command\":\"Set-PpCmkClock\",\"parameters\":{\"AdvanceDays\":[1]}}", "\"code\":\"ParameterBindingFailed\""},
        {"{\"command\":\"New-AzADUser\",\"parameters\":{\"DisplayName\":\"a\\u0000b\","
         "\"UserPrincipalName\":\"nul@contoso.onmicrosoft.com\"}}",
         "\"code\":\"ParameterValidationFailed\""},
        {"{\"command\":\"New-AzADUser\",\"parameters\":{\"DisplayName\":\"x\",\"DisplayName\":\"y\"}}",
         "\"code\":\"MissingMandatoryParameter\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) expect(store, bad[i][0], bad[i][1]);

    /* Deeply nested JSON: refused by the parser's depth limit, no stack overflow. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    expect(store, deep, "\"code\":\"InvalidRequest\"");
    free(deep);

    /* A 2 MiB string parameter: over the 1 MiB limit of a string value. */
    char *long_name = big_string_request("Get-AzADUser", "StartsWith", (size_t)2 << 20);
    expect(store, long_name, "\"code\":\"ParameterValidationFailed\"");
    free(long_name);

    /* A request over PPCMK_MAX_REQUEST_BYTES is refused before it is parsed. */
    char *huge = big_string_request("Get-AzADUser", "StartsWith", (size_t)PPCMK_MAX_REQUEST_BYTES + 1);
    CHECK(huge != NULL, "malloc");
    if (huge) {
        expect(store, huge, "\"code\":\"InvalidRequest\"");
        free(huge);
    }

    /* ---- progress: delivered on this thread, never after an error ---- */
    struct progress_seen seen = {pthread_self(), 0, 0, 0};
    r = ppcmk_invoke_with_progress(store,
                                   "{\"command\":\"New-PpCmkSampleData\",\"parameters\":{\"EnvironmentName\":"
                                   "\"" ENVIRONMENT "\",\"Records\":2500,\"RecordSize\":64}}",
                                   on_progress, &seen);
    CHECK(r && strstr(r, "\"Records\":2500"), "sample data: %.*s", SHOWN, r ? r : "(NULL)");
    ppcmk_string_free(r);
    CHECK(seen.events == 3 && seen.wrong_thread == 0 && seen.bytes > 0, "progress: %d events, %d on another thread",
          seen.events, seen.wrong_thread);
    int calls = 0;
    r = ppcmk_invoke_with_progress(store, "{\"command\":\"New-PpCmkSampleData\",\"parameters\":{\"Records\":-1}}",
                                   never_called, &calls);
    CHECK(r && strstr(r, "\"code\":\"ParameterValidationFailed\"") && calls == 0, "bad sample data: %d calls, %.*s",
          calls, SHOWN, r ? r : "(NULL)");
    ppcmk_string_free(r);
    /* A NULL callback with user data is allowed. */
    r = ppcmk_invoke_with_progress(store, "{\"command\":\"Get-AzContext\"}", NULL, &calls);
    CHECK(r && strstr(r, "\"ok\":true") && calls == 0, "NULL callback: %.*s", SHOWN, r ? r : "(NULL)");
    ppcmk_string_free(r);

    /* ---- four threads share the handle ---- */
    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){store, t, 0, 0};
        CHECK(pthread_create(&threads[t], NULL, work, &workers[t]) == 0, "pthread_create %d", t);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    for (int t = 0; t < THREADS; t++) {
        CHECK(workers[t].created == ROUNDS, "thread %d created %d of %d users", t, workers[t].created, ROUNDS);
        CHECK(workers[t].progress_events == 2, "thread %d saw %d progress events, expected 2", t,
              workers[t].progress_events);
    }
    int users = count_users(store, "Stress ");
    CHECK(users == THREADS * ROUNDS, "%d users after the threads, expected %d", users, THREADS * ROUNDS);
    ppcmk_close(store);

    /* ---- a second handle on the same folder sees everything ---- */
    store = NULL;
    status = ppcmk_open(home, &store, NULL);
    CHECK(status == PPCMK_OK && store != NULL, "reopen");
    if (status == PPCMK_OK) {
        users = count_users(store, "Stress ");
        CHECK(users == THREADS * ROUNDS, "%d users after reopening, expected %d", users, THREADS * ROUNDS);
        expect(store,
               "{\"command\":\"Get-PpCmkRecord\",\"parameters\":{\"EnvironmentName\":\"" ENVIRONMENT
               "\",\"Table\":\"sample_0\",\"First\":1}}",
               "\"ok\":true");
        ppcmk_close(store);
    }

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all C ABI stress checks passed\n");
    return 0;
}
