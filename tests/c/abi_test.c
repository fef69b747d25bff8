/*
 * Drives the ppcmk C ABI from C, against include/ppcmk.h and the cdylib:
 * open/invoke/free/close, error responses, NULL pointers, invalid UTF-8 and
 * JSON, an insecure master key, and two threads sharing one handle.
 * Usage: abi_test <empty-folder>. Exit 0 when every check passes.
 */
#include "ppcmk.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int failures = 0;

#define CHECK(cond, ...)                                      \
    do {                                                      \
        if (!(cond)) {                                        \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                     \
            fprintf(stderr, "\n");                            \
            failures++;                                       \
        }                                                     \
    } while (0)

/* Invokes, checks the response contains every needle, frees it. */
static void expect(const ppcmk_store *store, const char *request, const char *needle1, const char *needle2) {
    char *response = ppcmk_invoke(store, request);
    CHECK(response != NULL, "NULL response for %s", request);
    if (response == NULL) return;
    CHECK(strstr(response, needle1) != NULL, "response to %s lacks %s: %s", request, needle1, response);
    if (needle2) CHECK(strstr(response, needle2) != NULL, "response to %s lacks %s: %s", request, needle2, response);
    ppcmk_string_free(response);
}

struct worker {
    const ppcmk_store *store;
    int id;
    int ok;
};

static void *create_users(void *arg) {
    struct worker *w = arg;
    char request[512];
    for (int i = 0; i < 20; i++) {
        snprintf(request, sizeof request,
                 "{\"command\":\"New-AzADUser\",\"parameters\":{\"DisplayName\":\"Thread %d user %d\","
                 "\"UserPrincipalName\":\"t%du%d@contoso.onmicrosoft.com\"}}",
                 w->id, i, w->id, i);
        char *response = ppcmk_invoke(w->store, request);
        if (response && strstr(response, "\"ok\":true")) w->ok++;
        else fprintf(stderr, "thread %d: %s\n", w->id, response ? response : "(null)");
        ppcmk_string_free(response);
    }
    return NULL;
}

/* Counts progress events; checks each is the documented JSON. */
static void on_progress(const char *event_json, void *user_data) {
    int *count = user_data;
    if (strstr(event_json, "\"percentComplete\"") && strstr(event_json, "\"activity\"")) (*count)++;
}

static int count_occurrences(const char *haystack, const char *needle) {
    int n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <empty-folder>\n", argv[0]);
        return 2;
    }
    char home[4096], insecure[4096], keyfile[4200];
    snprintf(home, sizeof home, "%s/store", argv[1]);
    snprintf(insecure, sizeof insecure, "%s/insecure", argv[1]);

    const char *version = ppcmk_version();
    CHECK(version != NULL && strlen(version) > 0, "version");

    /* NULL arguments never crash. */
    CHECK(ppcmk_open(home, NULL, NULL) == PPCMK_NULL_ARGUMENT, "open with NULL store_out");
    ppcmk_string_free(NULL);
    ppcmk_close(NULL);

    ppcmk_store *store = NULL;
    char *error = NULL;
    ppcmk_status status = ppcmk_open(home, &store, &error);
    CHECK(status == PPCMK_OK && store != NULL && error == NULL, "open %s: %d %s", home, status, error ? error : "");

    expect(store, "{\"command\":\"Get-AzContext\"}", "\"ok\":true", "admin@contoso.onmicrosoft.com");
    expect(store, "{\"command\":\"get-azcontext\",\"parameters\":{}}", "\"ok\":true", "Global Administrator");

    /* Error responses carry a stable code and category. */
    expect(store, "{\"command\":\"Get-Nothing\"}", "\"code\":\"CommandNotFound\"", "\"ok\":false");
    expect(store, "{\"command\":\"New-AzADUser\",\"parameters\":{\"DisplayName\":\"x\"}}",
           "\"code\":\"MissingMandatoryParameter\"", NULL);
    expect(store, "{\"command\":\"Set-PpCmkClock\",\"parameters\":{\"AdvanceDays\":-1}}",
           "\"code\":\"ParameterValidationFailed\"", NULL);
    expect(store, "not json", "\"code\":\"InvalidRequest\"", NULL);
    expect(store, "[1,2]", "\"code\":\"InvalidRequest\"", NULL);
    expect(store, "{\"command\":\"Get-AzContext\",\"extra\":1}", "\"code\":\"InvalidRequest\"", NULL);

    /* A user without roles is refused, with the code and its category. */
    expect(store,
           "{\"command\":\"New-AzADUser\",\"parameters\":{\"DisplayName\":\"Contoso \\u00dcn\\u00efcode \\u2713\","
           "\"UserPrincipalName\":\"nobody@contoso.onmicrosoft.com\"}}",
           "\"ok\":true", "Contoso \xc3\x9c" "n\xc3\xaf" "code \xe2\x9c\x93");
    expect(store,
           "{\"command\":\"New-AzRoleAssignment\",\"account\":\"nobody@contoso.onmicrosoft.com\","
           "\"parameters\":{\"SignInName\":\"nobody@contoso.onmicrosoft.com\",\"RoleDefinitionName\":\"Reader\"}}",
           "\"code\":\"Forbidden\"", "\"category\":\"PermissionDenied\"");

    /* The key vault through the C ABI: a vault, an RSA key, a wrap, and a refusal. */
    expect(store, "{\"command\":\"New-AzResourceGroup\",\"parameters\":{\"Name\":\"rg\",\"Location\":\"centralus\"}}",
           "\"ok\":true", NULL);
    expect(store,
           "{\"command\":\"New-AzKeyVault\",\"parameters\":{\"Name\":\"c-kv\",\"ResourceGroupName\":\"rg\","
           "\"Location\":\"centralus\",\"EnablePurgeProtection\":true,\"DisableRbacAuthorization\":true}}",
           "\"EnablePurgeProtection\":true", NULL);
    expect(store, "{\"command\":\"Add-AzKeyVaultKey\",\"parameters\":{\"VaultName\":\"c-kv\",\"Name\":\"cmk\"}}",
           "\"KeySize\":2048", "\"kty\":\"RSA\"");
    expect(store,
           "{\"command\":\"Invoke-AzKeyVaultKeyOperation\",\"parameters\":{\"VaultName\":\"c-kv\",\"Name\":\"cmk\","
           "\"Operation\":\"Wrap\",\"Algorithm\":\"RSA-OAEP-256\",\"ByteArrayValue\":[1,2,3,4,5,6,7,8]}}",
           "\"Result\":\"", "\"Operation\":\"Wrap\"");
    expect(store, "{\"command\":\"Add-AzKeyVaultKey\",\"parameters\":{\"VaultName\":\"c-kv\",\"Name\":\"ec\",\"KeyType\":\"EC\"}}",
           "\"code\":\"InvalidArgument\"", NULL);

    /* A long operation reports progress to the callback, on this thread. */
    int events = 0;
    char *loaded = ppcmk_invoke_with_progress(
        store,
        "{\"command\":\"New-PpCmkSampleData\",\"parameters\":{\"EnvironmentName\":"
        "\"Default-aaaabbbb-0000-cccc-1111-dddd2222eeee\",\"Records\":2500,\"RecordSize\":128}}",
        on_progress, &events);
    CHECK(loaded && strstr(loaded, "\"Records\":2500"), "sample data: %s", loaded ? loaded : "(null)");
    CHECK(events == 3, "3 progress events (1000, 2000, 2500 records), got %d", events);
    ppcmk_string_free(loaded);

    /* Power Automate: a flow with an HTTP trigger would stay on the Microsoft key. */
    expect(store,
           "{\"command\":\"New-PpCmkFlow\",\"parameters\":{\"EnvironmentName\":"
           "\"Default-aaaabbbb-0000-cccc-1111-dddd2222eeee\",\"DisplayName\":\"Get Invoice HTTP\",\"Trigger\":\"Http\"}}",
           "\"KeyManagedBy\":\"Microsoft\"", "logic.azure.com");
    expect(store,
           "{\"command\":\"Get-AdminFlowEncryptedByMicrosoftKey\",\"parameters\":{\"EnvironmentName\":"
           "\"Default-aaaabbbb-0000-cccc-1111-dddd2222eeee\",\"ListCannotMigrateToCustomerManagedKey\":true}}",
           "\"DisplayName\":\"Get Invoice HTTP\"", "\"Reason\":\"HttpTrigger\"");

    /* NULL pointers and invalid UTF-8 give error responses. */
    char *r = ppcmk_invoke(NULL, "{\"command\":\"Get-AzContext\"}");
    CHECK(r && strstr(r, "\"code\":\"InvalidRequest\""), "NULL store: %s", r ? r : "(null)");
    ppcmk_string_free(r);
    r = ppcmk_invoke(store, NULL);
    CHECK(r && strstr(r, "\"code\":\"InvalidRequest\""), "NULL request: %s", r ? r : "(null)");
    ppcmk_string_free(r);
    r = ppcmk_invoke(store, "{\"command\":\"Get-AzContext\xff\xfe\"}");
    CHECK(r && strstr(r, "UTF-8"), "invalid UTF-8: %s", r ? r : "(null)");
    ppcmk_string_free(r);

    /* Two threads share one handle; nothing is lost. */
    struct worker a = {store, 1, 0}, b = {store, 2, 0};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, create_users, &a);
    pthread_create(&tb, NULL, create_users, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.ok == 20 && b.ok == 20, "thread results %d %d", a.ok, b.ok);
    r = ppcmk_invoke(store, "{\"command\":\"Get-AzADUser\",\"parameters\":{\"StartsWith\":\"Thread \"}}");
    CHECK(r && count_occurrences(r, "\"UserPrincipalName\"") == 40, "40 users after two threads: %s",
          r ? r : "(null)");
    ppcmk_string_free(r);
    ppcmk_close(store);

    /* A master key that others can read is refused with a clear error. */
    ppcmk_store *second = NULL;
    status = ppcmk_open(insecure, &second, NULL);
    CHECK(status == PPCMK_OK, "open insecure-to-be store");
    ppcmk_close(second);
    snprintf(keyfile, sizeof keyfile, "%s/master.key", insecure);
    chmod(keyfile, 0644);
    second = NULL;
    status = ppcmk_open(insecure, &second, &error);
    CHECK(status == PPCMK_ERROR && second == NULL, "insecure key accepted");
    CHECK(error && strstr(error, "\"code\":\"InsecureKeyFile\""), "insecure key error: %s", error ? error : "(null)");
    ppcmk_string_free(error);

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all C ABI checks passed\n");
    return 0;
}
