; Shared by installer.nsi (the 64-bit installer) and installer_x86.nsi (the 32-bit
; launcher users download): the Windows version gate and the installer's exit codes.
;
; Exit codes (also for silent installs, /S):
;   0  installed / uninstalled
;   1  cancelled by the user (NSIS)
;   2  aborted by the script (NSIS)
;   3  this Windows is too old or not 64-bit
;   4  the program is running and was not closed (a silent install never waits)
;   5  the folder chosen (or given with /D=) is not a per-user, writable folder

!include "LogicLib.nsh"
!include "x64.nsh"
!include "WinVer.nsh"

; Windows 10 1809 (build 17763) is the oldest Windows with both system DLLs the program
; needs: icuuc.dll (Qt 6) and bcryptprimitives.dll's ProcessPrng (cryptography).
!define MIN_WINDOWS_BUILD 17763
!define TOO_OLD_MESSAGE "本程序需要 64 位 Windows 10 1809 或更高版本（包括 Windows 11）。$\r$\n$\r$\n这台电脑的 Windows 版本过旧或是 32 位，程序装上后也无法运行，因此不会安装。请在 64 位 Windows 10 1809 及以上版本的电脑上安装。"
!define EXIT_TOO_OLD 3
!define EXIT_RUNNING 4
!define EXIT_BAD_FOLDER 5

; Quits with EXIT_TOO_OLD after the Chinese message (not shown in a silent install).
!macro RequireWindows
  ${IfNot} ${RunningX64}
  ${OrIfNot} ${AtLeastWin10}
  ${OrIfNot} ${AtLeastBuild} ${MIN_WINDOWS_BUILD}
    MessageBox MB_ICONSTOP|MB_OK "${TOO_OLD_MESSAGE}" /SD IDOK
    SetErrorLevel ${EXIT_TOO_OLD}
    Quit
  ${EndIf}
!macroend
