# Runs the Pester suite (tests/powershell/*.Tests.ps1) against the module in
# powershell/PpCmk, and prints its counts as "Pester: N passed, N failed".
# Exit status 1 when any test, block or file failed. Called by scripts/test-all;
# by hand: pwsh -NoProfile -File tests/powershell/run.ps1 -PesterPath <Pester.psd1> [-Path <file>]
param(
    [Parameter(Mandatory = $true)] [string] $PesterPath,
    [string[]] $Path = @($PSScriptRoot),
    [string] $Output = 'Normal'
)
$ErrorActionPreference = 'Stop'
$pester = Import-Module -Name (Resolve-Path -LiteralPath $PesterPath).ProviderPath -Force -PassThru
if ($pester.Version -lt [version] '5.5') {
    throw "Pester 5.5 or later is needed; $PesterPath is $($pester.Version)."
}
$config = New-PesterConfiguration
# pwsh -File passes a list as one string: split it.
$config.Run.Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Run.PassThru = $true
$config.Output.Verbosity = $Output
$config.Should.ErrorAction = 'Continue'
$result = Invoke-Pester -Configuration $config
if ($null -eq $result) {
    'Pester: 0 passed, 1 failed, 0 skipped (Invoke-Pester returned no result)'
    exit 1
}
$failed = [int] $result.FailedCount + [int] $result.FailedBlocksCount + [int] $result.FailedContainersCount
''
'Pester: {0} passed, {1} failed, {2} skipped' -f [int] $result.PassedCount, $failed, ([int] $result.SkippedCount + [int] $result.NotRunCount)
# A run that passed nothing proves nothing.
if ($failed -gt 0 -or [int] $result.PassedCount -lt 1) {
    exit 1
}
exit 0
