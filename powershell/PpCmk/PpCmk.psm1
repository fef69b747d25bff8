# PpCmk module runtime: the only hand-written PowerShell of the module.
# It loads the C# layer (PpCmk.Native.cs: the P/Invoke calls into the native
# ppcmk library, and the Host class that runs a command for a generated
# function: parameters in, objects, warnings, progress and ErrorRecords out)
# and registers argument completers. The command functions themselves are
# generated from the engine's registry into PpCmk.Commands.ps1. Runs on
# Windows PowerShell 5.1 and PowerShell 7.
Set-StrictMode -Version 3.0

# Paths in $env: variables are resolved against PowerShell's location ($PWD),
# which is not the process's current directory that the native side would use.
function Get-PpCmkLibraryPath {
    if ($env:PPCMK_LIBRARY) {
        return $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($env:PPCMK_LIBRARY)
    }
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
    $onMac = (-not $onWindows) -and (Test-Path -Path 'variable:IsMacOS') -and $IsMacOS
    $name = if ($onWindows) { 'ppcmk.dll' } elseif ($onMac) { 'libppcmk.dylib' } else { 'libppcmk.so' }
    foreach ($folder in @($PSScriptRoot, (Join-Path -Path $PSScriptRoot -ChildPath 'bin'))) {
        $candidate = Join-Path -Path $folder -ChildPath $name
        if (Test-Path -LiteralPath $candidate) {
            return (Resolve-Path -LiteralPath $candidate).ProviderPath
        }
    }
    throw "The native library $name was not found next to the module ($PSScriptRoot or its bin folder). Build it with 'cargo build --release', copy target/release/$name there, or set PPCMK_LIBRARY to its path."
}

# The C# layer, once per process (a second import reuses the loaded type).
# bin/PpCmk.Native.dll (scripts/build-module) is the same source compiled in
# advance for netstandard2.0; it is used only when it was built from this
# exact source (bin/PpCmk.Native.sha256), else the source is compiled now.
if (-not ('PpCmk.Host' -as [type])) {
    $sourcePath = Join-Path -Path $PSScriptRoot -ChildPath 'PpCmk.Native.cs'
    $prebuilt = Join-Path -Path $PSScriptRoot -ChildPath 'bin/PpCmk.Native.dll'
    $prebuiltHash = Join-Path -Path $PSScriptRoot -ChildPath 'bin/PpCmk.Native.sha256'
    $loaded = $false
    if ((Test-Path -LiteralPath $prebuilt) -and (Test-Path -LiteralPath $prebuiltHash)) {
        $sha = [System.Security.Cryptography.SHA256]::Create()
        try {
            $bytes = [System.IO.File]::ReadAllBytes($sourcePath)
            $actual = [System.BitConverter]::ToString($sha.ComputeHash($bytes)).Replace('-', '').ToLowerInvariant()
        } finally {
            $sha.Dispose()
        }
        $expected = ([System.IO.File]::ReadAllText($prebuiltHash)).Trim().ToLowerInvariant()
        if ($actual -eq $expected) {
            $null = [System.Reflection.Assembly]::LoadFrom($prebuilt)
            $loaded = $true
        } else {
            Write-Verbose -Message "PpCmk: $prebuilt was built from another PpCmk.Native.cs; compiling the source instead."
        }
    }
    if (-not $loaded) {
        $source = [System.IO.File]::ReadAllText($sourcePath)
        $library = (Get-PpCmkLibraryPath).Replace('\', '\\').Replace('"', '\"')
        Add-Type -TypeDefinition $source.Replace('@@PPCMK_LIBRARY@@', $library) -Language CSharp
    }
}
[PpCmk.Native]::UseLibrary((Get-PpCmkLibraryPath))

. (Join-Path -Path $PSScriptRoot -ChildPath 'PpCmk.Commands.ps1')
[PpCmk.Host]::SetUsageErrorCodes($script:PpCmkUsageErrorCodes)

# Tab completion of the names in the store. A completer never writes errors:
# a store that cannot be read simply completes nothing.
function Get-PpCmkCompletion {
    param([string] $Command, [hashtable] $Parameters, [string] $Property, [string] $WordToComplete)
    $found = @()
    try {
        $found = @(& $Command @Parameters -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 3>$null |
            ForEach-Object { $_.$Property })
    } catch {
        $found = @()
    }
    $found | Where-Object { $_ -and ([string] $_) -like "$WordToComplete*" } | Sort-Object -Unique | ForEach-Object {
        $text = [string] $_
        $quoted = if ($text -match '[\s''"$`,;(){}|&<>@#]') { "'" + $text.Replace("'", "''") + "'" } else { $text }
        New-Object -TypeName System.Management.Automation.CompletionResult -ArgumentList $quoted, $text, 'ParameterValue', $text
    }
}

function Register-PpCmkCompleter {
    param([string] $Key, [string] $ParameterName, [scriptblock] $ScriptBlock)
    $commands = @($script:PpCmkCompletedParameters[$Key])
    if ($commands.Count -gt 0) {
        Register-ArgumentCompleter -CommandName $commands -ParameterName $ParameterName -ScriptBlock $ScriptBlock
    }
}

$ExecutionContext.SessionState.Module.OnRemove = {
    # Store handles are shared by every runspace of the process and stay open.
}

Export-ModuleMember -Function $script:PpCmkCommandNames

Register-PpCmkCompleter -Key EnvironmentName -ParameterName EnvironmentName -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Get-PpCmkCompletion -Command Get-AdminPowerAppEnvironment -Parameters @{} -Property EnvironmentName -WordToComplete $wordToComplete
}
Register-PpCmkCompleter -Key VaultName -ParameterName VaultName -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Get-PpCmkCompletion -Command Get-AzKeyVault -Parameters @{} -Property VaultName -WordToComplete $wordToComplete
}
Register-PpCmkCompleter -Key PolicyArmId -ParameterName PolicyArmId -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    Get-PpCmkCompletion -Command Get-PpCmkEnterprisePolicy -Parameters @{} -Property ResourceId -WordToComplete $wordToComplete
}
# -Name of the key commands: the keys of the vault already given.
Register-PpCmkCompleter -Key KeyName -ParameterName Name -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    if ($fakeBoundParameters.ContainsKey('VaultName')) {
        Get-PpCmkCompletion -Command Get-AzKeyVaultKey -Parameters @{ VaultName = $fakeBoundParameters['VaultName'] } -Property Name -WordToComplete $wordToComplete
    }
}
