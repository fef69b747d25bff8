# PpCmk module runtime: the only hand-written PowerShell of the module.
# It loads the native ppcmk library through the C# P/Invoke layer
# (PpCmk.Native.cs), turns bound parameters into requests and responses into
# objects with type names, and errors into ErrorRecords whose
# FullyQualifiedErrorId starts with the engine's error code. The command
# functions themselves are generated from the engine's registry into
# PpCmk.Commands.ps1. Runs on Windows PowerShell 5.1 and PowerShell 7.
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

if (-not ('PpCmk.Native' -as [type])) {
    $source = [System.IO.File]::ReadAllText((Join-Path -Path $PSScriptRoot -ChildPath 'PpCmk.Native.cs'))
    $library = (Get-PpCmkLibraryPath).Replace('\', '\\').Replace('"', '\"')
    Add-Type -TypeDefinition $source.Replace('@@PPCMK_LIBRARY@@', $library) -Language CSharp
}

# Open store handles by folder; the library's handles are thread-safe.
$script:PpCmkStores = @{}

function Get-PpCmkStore {
    param([System.Management.Automation.PSCmdlet] $Cmdlet)
    $storeHome = $null
    if ($env:PPCMK_HOME) {
        $storeHome = $Cmdlet.GetUnresolvedProviderPathFromPSPath($env:PPCMK_HOME)
    }
    $key = if ($storeHome) { $storeHome } else { '(default)' }
    if (-not $script:PpCmkStores.ContainsKey($key)) {
        $script:PpCmkStores[$key] = [PpCmk.Native]::Open($storeHome)
    }
    return $script:PpCmkStores[$key]
}

function New-PpCmkErrorRecord {
    param([string] $Code, [string] $Category, [string] $Message, [string] $Target)
    $parsedCategory = [System.Management.Automation.ErrorCategory]::NotSpecified
    try {
        $parsedCategory = [System.Management.Automation.ErrorCategory] $Category
    } catch {
        $parsedCategory = [System.Management.Automation.ErrorCategory]::NotSpecified
    }
    $exception = New-Object -TypeName PpCmk.PpCmkException -ArgumentList $Code, $Category, $Message, $Target
    return New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, $Code, $parsedCategory, $Target
}

# Bound parameters of a generated function as a request: only the command's
# own parameters (not -Verbose, -WhatIf, ...), switches as booleans, custom
# objects as ordered dictionaries. Secure strings and dates are serialised by
# the C# layer.
function ConvertTo-PpCmkParameters {
    param([System.Collections.IDictionary] $Bound, [string[]] $Names)
    $request = [ordered]@{}
    foreach ($name in $Names) {
        if ($Bound.ContainsKey($name)) {
            $value = $Bound[$name]
            if ($value -is [System.Management.Automation.SwitchParameter]) {
                $value = $value.IsPresent
            } elseif ($value -is [System.Management.Automation.PSCustomObject]) {
                $copy = [ordered]@{}
                foreach ($property in $value.PSObject.Properties) {
                    $copy[$property.Name] = $property.Value
                }
                $value = $copy
            }
            $request[$name] = $value
        }
    }
    return $request
}

# Parsed JSON (ordered dictionaries and arrays) as PowerShell objects.
function ConvertTo-PpCmkObject {
    param($Value)
    if ($Value -is [System.Collections.Specialized.OrderedDictionary]) {
        $properties = [ordered]@{}
        foreach ($key in $Value.Keys) {
            $item = $Value[$key]
            if ($item -is [System.Collections.Specialized.OrderedDictionary] -or $item -is [object[]]) {
                $item = ConvertTo-PpCmkObject -Value $item
            }
            $properties[$key] = $item
        }
        return [pscustomobject] $properties
    }
    if ($Value -is [object[]]) {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        foreach ($element in $Value) {
            $items.Add((ConvertTo-PpCmkObject -Value $element))
        }
        return , $items.ToArray()
    }
    return $Value
}

# Runs one command through the C ABI and writes its output, warnings,
# progress and errors through the calling function's $PSCmdlet.
function Invoke-PpCmkCommand {
    param(
        [System.Management.Automation.PSCmdlet] $Cmdlet,
        [string] $Command,
        [System.Collections.IDictionary] $Parameters,
        [string] $TypeName
    )
    try {
        $store = Get-PpCmkStore -Cmdlet $Cmdlet
    } catch [PpCmk.PpCmkException] {
        $e = $_.Exception
        $Cmdlet.ThrowTerminatingError((New-PpCmkErrorRecord -Code $e.Code -Category $e.Category -Message $e.Message -Target $e.Target))
    }
    $script:PpCmkProgressShown = $false
    $onProgress = [System.Action[string]] {
        param([string] $EventJson)
        $progress = [PpCmk.Native]::ParseJson($EventJson)
        $script:PpCmkProgressShown = $true
        Write-Progress -Id 4711 -Activity $progress['activity'] -Status $progress['status'] -PercentComplete ([int] $progress['percentComplete'])
    }
    # The account and network are passed explicitly: on Linux and macOS, .NET
    # does not pass $env: changes on to the native library's environment.
    # What $onProgress throws (Write-Progress, PipelineStoppedException after
    # Ctrl+C) is held back by the C# layer until the engine has finished the
    # command and returned, and rethrown from Invoke.
    try {
        $response = [PpCmk.Native]::Invoke($store, $Command, $Parameters, $env:PPCMK_ACCOUNT, $env:PPCMK_NETWORK, $onProgress)
    } finally {
        if ($script:PpCmkProgressShown -and -not $Cmdlet.Stopping) {
            try {
                Write-Progress -Id 4711 -Activity $Command -Completed
            } catch {
                # Clearing the progress bar is best effort: the command's result or error matters.
                Write-Verbose -Message "Write-Progress -Completed failed: $_"
            }
        }
    }
    foreach ($warning in $response.Warnings) {
        $Cmdlet.WriteWarning($warning)
    }
    if (-not $response.Ok) {
        $record = New-PpCmkErrorRecord -Code $response.ErrorCode -Category $response.ErrorCategory -Message $response.ErrorMessage -Target $response.ErrorTarget
        if ($script:PpCmkUsageErrorCodes -contains $response.ErrorCode) {
            $Cmdlet.ThrowTerminatingError($record)
        }
        $Cmdlet.WriteError($record)
        return
    }
    foreach ($item in $response.Objects) {
        $object = ConvertTo-PpCmkObject -Value $item
        if ($TypeName) {
            $object.PSObject.TypeNames.Insert(0, $TypeName)
        }
        $Cmdlet.WriteObject($object)
    }
    # -FailOn: the rows are all written; the gate is an error after them, so
    # a pipeline stops on it with -ErrorAction Stop (or checks $?).
    if ($response.GateRows -gt 0) {
        $message = '{0} row(s) reached {1} or worse (-FailOn {1}).' -f $response.GateRows, $response.GateFailOn
        $Cmdlet.WriteError((New-PpCmkErrorRecord -Code 'ChecksFailed' -Category 'InvalidResult' -Message $message -Target $Command))
    }
}

. (Join-Path -Path $PSScriptRoot -ChildPath 'PpCmk.Commands.ps1')

$ExecutionContext.SessionState.Module.OnRemove = {
    foreach ($handle in @($script:PpCmkStores.Values)) {
        [PpCmk.Native]::Close($handle)
    }
    $script:PpCmkStores.Clear()
}

Export-ModuleMember -Function $script:PpCmkCommandNames
