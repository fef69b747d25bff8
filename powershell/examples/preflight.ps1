#Requires -Version 7.0
<#
.SYNOPSIS
    Pre-flight check before adding environments to a customer-managed key
    enterprise policy: fails (exit 1) when any check fails, so a pipeline
    stops before the rollout.

.EXAMPLE
    ./preflight.ps1 -EnvironmentName 00000000-0000-0000-0000-000000000000 `
        -PolicyArmId /subscriptions/.../providers/Microsoft.PowerPlatform/enterprisePolicies/contoso-cmk-policy `
        -ReportPath preflight.csv
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string[]] $EnvironmentName,

    [Parameter(Mandatory = $true)]
    [string] $PolicyArmId,

    # Also stop on warnings (flows that stay on the Microsoft key, downtime, ...).
    [switch] $Strict,

    # Where to keep the full result for the change record.
    [string] $ReportPath = 'preflight.csv'
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path -Path $PSScriptRoot -ChildPath '../PpCmk/PpCmk.psd1')

$failOn = if ($Strict) { 'Warn' } else { 'Fail' }
$rows = @()
$gateFailed = $false
try {
    # The rows are written before the gate's error, so they are all collected.
    Test-PpCmkReadiness -EnvironmentName $EnvironmentName -PolicyArmId $PolicyArmId -FailOn $failOn -ErrorAction Stop |
        ForEach-Object { $rows += $_ }
} catch {
    if ($_.FullyQualifiedErrorId -notlike 'ChecksFailed*') {
        throw
    }
    $gateFailed = $true
}

$rows | Export-Csv -Path $ReportPath -NoTypeInformation
$rows | Format-Table -Property Check, Target, Status, Detail -AutoSize -Wrap

$problems = @($rows | Where-Object { $_.Status -eq 'Fail' -or ($Strict -and $_.Status -eq 'Warn') })
foreach ($problem in $problems) {
    Write-Host ('{0} {1}: {2}' -f $problem.Status.ToUpperInvariant(), $problem.Check, $problem.Target) -ForegroundColor Red
    if ($problem.Remedy) {
        Write-Host ('    Remedy: {0}' -f $problem.Remedy)
    }
}

if ($gateFailed) {
    Write-Error -Message ('Pre-flight failed: {0} check(s) at {1} or worse. Full result: {2}' -f $problems.Count, $failOn, $ReportPath) -ErrorAction Continue
    exit 1
}
Write-Host ('Pre-flight passed ({0} checks, {1} warning(s)). Full result: {2}' -f $rows.Count, @($rows | Where-Object Status -eq 'Warn').Count, $ReportPath)
exit 0
