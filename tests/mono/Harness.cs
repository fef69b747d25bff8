// Drives the PowerShell module's exact P/Invoke layer (PpCmk.Native.cs) under
// Mono against the real libppcmk: a successful call, an error mapped to its
// code, a UTF-8 round trip of a non-ASCII display name, usage errors, the JSON
// writer and reader, progress events, a progress callback that throws, and an
// insecure master key. Usage: Harness.exe <folder>.
using System;
using System.Collections;
using System.Collections.Specialized;
using System.IO;
using System.Security;
using PpCmk;

public static class Harness
{
    static int failures;

    static void Check(bool condition, string what)
    {
        if (!condition)
        {
            failures++;
            Console.Error.WriteLine("FAIL: " + what);
        }
    }

    const string DefaultEnvironment = "Default-aaaabbbb-0000-cccc-1111-dddd2222eeee";
    const string ProgressFailure = "the progress display failed";
    static int progressCalls;

    // Throws on every call, as Write-Progress does once the pipeline is stopping.
    static void FailOnProgress(string eventJson)
    {
        progressCalls++;
        throw new InvalidOperationException(ProgressFailure);
    }

    static IDictionary Params(params object[] pairs)
    {
        var d = new OrderedDictionary();
        for (int i = 0; i < pairs.Length; i += 2)
        {
            d[(string)pairs[i]] = pairs[i + 1];
        }
        return d;
    }

    public static int Main(string[] args)
    {
        string home = Path.Combine(args[0], "store");
        Check(!string.IsNullOrEmpty(Native.Version()), "version");

        IntPtr store = Native.Open(home);
        Check(store != IntPtr.Zero, "open");

        // A successful call: objects keep property order and types.
        Response context = Native.Invoke(store, "Get-AzContext", null, null, null);
        Check(context.Ok, "Get-AzContext ok");
        var first = (IDictionary)context.Objects[0];
        Check((string)first["Account"] == "admin@contoso.onmicrosoft.com", "Account is the Global Administrator");
        Check(((object[])first["DirectoryRoles"])[0].Equals("Global Administrator"), "roles array");

        // UTF-8 round trip of a non-ASCII display name.
        const string name = "Contoso \u00dcn\u00efcode \u2713";
        Response created = Native.Invoke(store, "New-AzADUser",
            Params("DisplayName", name, "UserPrincipalName", "unicode@contoso.onmicrosoft.com"), null, null);
        Check(created.Ok, "New-AzADUser ok: " + created.ErrorMessage);
        Response found = Native.Invoke(store, "Get-AzADUser", Params("DisplayName", name), null, null);
        Check(found.Ok && found.Objects.Length == 1, "user found by non-ASCII name");
        Check(found.Ok && (string)((IDictionary)found.Objects[0])["DisplayName"] == name, "display name round trip");

        // An error mapped to its code and category; the account travels in the request.
        Response denied = Native.Invoke(store, "New-AzRoleAssignment",
            Params("SignInName", "unicode@contoso.onmicrosoft.com", "RoleDefinitionName", "Reader"),
            "unicode@contoso.onmicrosoft.com", null);
        Check(!denied.Ok, "a user without roles cannot assign roles");
        Check(denied.ErrorCode == "Forbidden", "code Forbidden, got " + denied.ErrorCode);
        Check(denied.ErrorCategory == "PermissionDenied", "category PermissionDenied, got " + denied.ErrorCategory);

        Response missing = Native.Invoke(store, "New-AzADUser", Params("DisplayName", "x"), null, null);
        Check(missing.ErrorCode == "MissingMandatoryParameter", "usage error code, got " + missing.ErrorCode);

        // Typed parameters: switch as bool, long, string array, dictionary, date, secure string.
        Response clock = Native.Invoke(store, "Set-PpCmkClock", Params("AdvanceHours", 2L), null, null);
        Check(clock.Ok && (long)((IDictionary)clock.Objects[0])["OffsetSeconds"] == 7200, "long parameter");
        Check(((IDictionary)clock.Objects[0])["Now"] is DateTime, "UTC times parse as DateTime");
        Response reset = Native.Invoke(store, "Set-PpCmkClock", Params("Reset", true), null, null);
        Check(reset.Ok && (long)((IDictionary)reset.Objects[0])["OffsetSeconds"] == 0, "switch parameter");

        var secret = new SecureString();
        foreach (char c in "p\u00e4ss") secret.AppendChar(c);
        var table = new Hashtable();
        table["a"] = new[] { "x", "y" };
        string json = Native.ToJson(Params(
            "s", "q\"\\\n\u2713", "b", false, "n", 42, "d", 1.5,
            "t", new DateTime(2027, 1, 2, 3, 4, 5, DateTimeKind.Unspecified),
            "h", table, "secret", secret, "none", null));
        Check(json == "{\"s\":\"q\\\"\\\\\\n\u2713\",\"b\":false,\"n\":42,\"d\":1.5,\"t\":\"2027-01-02T03:04:05.0000000Z\","
            + "\"h\":{\"a\":[\"x\",\"y\"]},\"secret\":\"p\u00e4ss\",\"none\":null}", "ToJson: " + json);

        var parsed = (IDictionary)Native.ParseJson("{\"a\":[1,2.5,\"\\u00e9\",true,null],\"B\":{\"c\":\"2026-11-23T10:00:00Z\"}}");
        var items = (object[])parsed["a"];
        Check((long)items[0] == 1 && (double)items[1] == 2.5 && (string)items[2] == "\u00e9" && (bool)items[3] && items[4] == null, "ParseJson values");
        Check(((IDictionary)parsed["b"])["c"] is DateTime, "keys are case-insensitive, dates typed");
        bool threw = false;
        try { Native.ParseJson("{\"a\":"); } catch (FormatException) { threw = true; }
        Check(threw, "truncated JSON is refused");

        // Key vault through the module's layer: byte[] parameters go out as JSON arrays,
        // a wrap and an unwrap round-trip, and the network travels in the request.
        Response rg = Native.Invoke(store, "New-AzResourceGroup", Params("Name", "rg", "Location", "centralus"), null, null);
        Check(rg.Ok, "resource group: " + rg.ErrorMessage);
        Response kv = Native.Invoke(store, "New-AzKeyVault", Params("Name", "mono-kv", "ResourceGroupName", "rg",
            "Location", "centralus", "EnablePurgeProtection", true, "DisableRbacAuthorization", true), null, null);
        Check(kv.Ok && true.Equals(((IDictionary)kv.Objects[0])["EnablePurgeProtection"]), "vault: " + kv.ErrorMessage);
        Response key = Native.Invoke(store, "Add-AzKeyVaultKey", Params("VaultName", "mono-kv", "Name", "cmk", "Size", 2048), null, null);
        Check(key.Ok && (long)((IDictionary)key.Objects[0])["KeySize"] == 2048, "key: " + key.ErrorMessage);
        byte[] dek = new byte[32];
        for (int i = 0; i < dek.Length; i++) dek[i] = (byte)(i * 7);
        Response wrapped = Native.Invoke(store, "Invoke-AzKeyVaultKeyOperation", Params("VaultName", "mono-kv", "Name", "cmk",
            "Operation", "Wrap", "Algorithm", "RSA-OAEP-256", "ByteArrayValue", dek), null, null);
        Check(wrapped.Ok, "wrap: " + wrapped.ErrorMessage);
        string wrappedValue = wrapped.Ok ? (string)((IDictionary)wrapped.Objects[0])["Result"] : "";
        Response unwrapped = Native.Invoke(store, "Invoke-AzKeyVaultKeyOperation", Params("VaultName", "mono-kv", "Name", "cmk",
            "Operation", "Unwrap", "Algorithm", "RSA-OAEP-256", "ByteArrayValue", Convert.FromBase64String(wrappedValue)), null, null);
        Check(unwrapped.Ok && (string)((IDictionary)unwrapped.Objects[0])["Result"] == Convert.ToBase64String(dek), "unwrap round trip: " + unwrapped.ErrorMessage);
        Response closed = Native.Invoke(store, "Update-AzKeyVault", Params("VaultName", "mono-kv", "PublicNetworkAccess", "Disabled"), null, null);
        Check(closed.Ok, "close the vault: " + closed.ErrorMessage);
        Native.Invoke(store, "Add-PpCmkKeyVaultPrivateEndpoint", Params("VaultName", "mono-kv"), null, null);
        Response fromPublic = Native.Invoke(store, "Get-AzKeyVaultKey", Params("VaultName", "mono-kv", "Name", "cmk"), null, "public", null);
        Check(fromPublic.ErrorCode == "ForbiddenByFirewall", "public network refused, got " + fromPublic.ErrorCode);
        Response fromPrivate = Native.Invoke(store, "Get-AzKeyVaultKey", Params("VaultName", "mono-kv", "Name", "cmk"), null, "private", null);
        Check(fromPrivate.Ok, "private network allowed: " + fromPrivate.ErrorMessage);

        // Power Automate: the documentation's flow that stays on the Microsoft key, and why.
        Response flow = Native.Invoke(store, "New-PpCmkFlow", Params("EnvironmentName", DefaultEnvironment,
            "DisplayName", "Get Invoice HTTP", "Trigger", "Http"), null, null);
        Check(flow.Ok, "new flow: " + flow.ErrorMessage);
        Response mmk = Native.Invoke(store, "Get-AdminFlowEncryptedByMicrosoftKey", Params("EnvironmentName", DefaultEnvironment,
            "ListCannotMigrateToCustomerManagedKey", true), null, null);
        Check(mmk.Ok && mmk.Objects.Length == 1 && (string)((IDictionary)mmk.Objects[0])["Reason"] == "HttpTrigger",
            "flows that cannot migrate: " + mmk.ErrorMessage);

        // Progress events reach the module's callback (Write-Progress in PowerShell).
        int events = 0;
        Response loaded = Native.Invoke(store, "New-PpCmkSampleData", Params("EnvironmentName",
            DefaultEnvironment, "Records", 2500, "RecordSize", 128), null, null,
            delegate(string eventJson) { if (((IDictionary)Native.ParseJson(eventJson))["percentComplete"] != null) events++; });
        Check(loaded.Ok, "sample data: " + loaded.ErrorMessage);
        Check(events == 3, "3 progress events, got " + events);

        // A callback that throws (Write-Progress failing, Ctrl+C stopping the pipeline) must not
        // unwind through the library's frames: the library finishes the command and returns, its
        // response is taken and freed, later events are not delivered, and the callback's own
        // exception, with its stack trace, surfaces to the caller afterwards.
        progressCalls = 0;
        Exception surfaced = null;
        try
        {
            Native.Invoke(store, "New-PpCmkSampleData", Params("EnvironmentName", DefaultEnvironment, "Records", 2500,
                "RecordSize", 128), null, null, FailOnProgress);
        }
        catch (Exception e)
        {
            surfaced = e;
        }
        Check(surfaced is InvalidOperationException && surfaced.Message == ProgressFailure,
            "the callback's exception surfaces, got " + (surfaced == null ? "none" : surfaced.GetType().Name + ": " + surfaced.Message));
        Check(surfaced != null && surfaced.StackTrace != null && surfaced.StackTrace.Contains("FailOnProgress"),
            "the callback's stack trace is kept: " + (surfaced == null ? "" : surfaced.StackTrace));
        Check(progressCalls == 1, "no events after the callback failed, got " + progressCalls);
        string taken = surfaced == null ? null : surfaced.Data["PpCmk.Response"] as string;
        Check(taken != null && Native.ParseResponse(taken).Ok, "the command's response was taken (and freed): " + taken);
        Response backup = Native.Invoke(store, "Backup-PowerAppEnvironment", Params("EnvironmentName", DefaultEnvironment,
            "Label", "after-failed-progress"), null, null);
        Check(backup.Ok && (long)((IDictionary)backup.Objects[0])["Records"] == 5000,
            "the store is usable and the command completed: " + (backup.Ok ? ((IDictionary)backup.Objects[0])["Records"] : backup.ErrorMessage));
        events = 0;
        Response again = Native.Invoke(store, "New-PpCmkSampleData", Params("EnvironmentName", DefaultEnvironment,
            "Records", 1000, "RecordSize", 128), null, null, delegate(string eventJson) { events++; });
        Check(again.Ok && events > 0, "progress works again after a failed callback: " + again.ErrorMessage);

        Native.Close(store);

        // An insecure master key is refused with its code.
        string insecure = Path.Combine(args[0], "insecure");
        Native.Close(Native.Open(insecure));
        File.Delete(Path.Combine(insecure, "master.key"));
        File.WriteAllText(Path.Combine(insecure, "master.key"), "not a key");
        string code = null;
        try { Native.Open(insecure); } catch (PpCmkException e) { code = e.Code; }
        Check(code == "InsecureKeyFile", "insecure or corrupt key file refused, got " + code);

        if (failures > 0)
        {
            Console.Error.WriteLine(failures + " check(s) failed");
            return 1;
        }
        Console.WriteLine("all Mono checks passed");
        return 0;
    }
}
