; 政务公开自查 (gongkai-desktop) — Windows installer, per user, no administrator rights.
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DDIST_DIR=<dist/gongkai-desktop> \
;            -DOUTFILE=<setup-x64.exe> packaging/installer.nsi
;
; This is the 64-bit installer. Users download installer_x86.nsi's 32-bit launcher, which
; carries this one: on 32-bit Windows (where a 64-bit program does not even start) the
; launcher shows the Chinese "64 位" message itself.
; Before anything is written: Windows 10 1809 or later (installer_common.nsh), the program
; not running (the named mutex the window holds, ui/app.py), and a per-user, writable
; folder (never Program Files or Windows: the installer has no administrator rights).
;
; Installs the PyInstaller one-folder build into %LOCALAPPDATA%\Programs\gongkai-desktop,
; writes only HKCU, adds Start-menu and desktop shortcuts, and associates
; .gkws (workspace) and .gkbundle (data bundle): a double-click starts
;   "<install dir>\gongkai-desktop.exe" "<full path of the file>"
; and the program opens a workspace or imports a bundle by the file's suffix.
; The uninstaller keeps the officer's data (%LOCALAPPDATA%\gongkai-desktop) unless the
; section "删除我的数据" is ticked; a silent uninstall (/S) keeps it unless /REMOVEDATA is
; given too (uninst.exe /S /REMOVEDATA, for administrators clearing a shared PC).

Unicode true
Target amd64-unicode
RequestExecutionLevel user
ManifestDPIAware true
SetCompressor /SOLID lzma

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "installer_common.nsh"

!ifndef VERSION
  !error "VERSION is required: makensis -DVERSION=x.y.z (the build scripts pass the package's)"
!endif
!ifndef VERSION_QUAD
  !define VERSION_QUAD "${VERSION}.0"
!endif
!ifndef DIST_DIR
  !define DIST_DIR "..\dist\gongkai-desktop"
!endif
!ifndef OUTFILE
  !define OUTFILE "gongkai-desktop-${VERSION}-setup.exe"
!endif

!define APP_NAME "gongkai-desktop"
!define APP_TITLE "政务公开自查"
!define PUBLISHER "gongkai-desktop"
!define APP_EXE "gongkai-desktop.exe"
!define CLI_EXE "gongkai-desktop-cli.exe"
!define UNINSTALLER "uninst.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_NAME}"
!define APP_KEY "Software\${APP_NAME}"
; Where the program keeps the officer's data (platformdirs: user_data_dir, not roaming),
; its window settings included (an INI file there: the program writes no registry key).
!define USER_DATA_DIR "$LOCALAPPDATA\${APP_NAME}"
; Held by the running window (gongkai_desktop/ui/app.py, RUNNING_MUTEX).
!define RUNNING_MUTEX "Local\gongkai-desktop-running"
!define PROGID_WORKSPACE "${APP_NAME}.workspace"
!define PROGID_BUNDLE "${APP_NAME}.bundle"

Name "${APP_TITLE}"
Caption "${APP_TITLE} ${VERSION} 安装"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${APP_KEY}" "InstallDir"
BrandingText "${APP_TITLE} ${VERSION}"
ShowInstDetails nevershow
ShowUninstDetails nevershow

VIProductVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=2052 "ProductName" "${APP_TITLE}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP_TITLE} 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "MIT License"

; ---- pages ----------------------------------------------------------------------------

!define MUI_ICON "..\resources\icons\app.ico"
!define MUI_UNICON "..\resources\icons\app.ico"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "立即运行${APP_TITLE}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE DirectoryLeave
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

; ---- install --------------------------------------------------------------------------

Section "!${APP_TITLE}（必需）" SecProgram
  SectionIn RO
  SetShellVarContext current
  ; Again here: a silent install (/S /D=…) has no directory page, and the program may
  ; have been started while the pages were shown.
  Call CheckInstallDir
  ${If} $R9 != ""
    MessageBox MB_ICONSTOP|MB_OK "$R9" /SD IDOK
    SetErrorLevel ${EXIT_BAD_FOLDER}
    Quit
  ${EndIf}
  Call WaitUntilClosed
  ; An update replaces the program folder: no file of the old version may linger.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${DIST_DIR}\*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  WriteRegStr HKCU "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${APP_KEY}" "Version" "${VERSION}"

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_TITLE}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "开始菜单快捷方式" SecStartMenu
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  CreateShortCut "$SMPROGRAMS\${APP_TITLE}.lnk" "$INSTDIR\${APP_EXE}" "" \
    "$INSTDIR\${APP_EXE}" 0 SW_SHOWNORMAL "" "${APP_TITLE}"
SectionEnd

Section "桌面快捷方式" SecDesktop
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  CreateShortCut "$DESKTOP\${APP_TITLE}.lnk" "$INSTDIR\${APP_EXE}" "" \
    "$INSTDIR\${APP_EXE}" 0 SW_SHOWNORMAL "" "${APP_TITLE}"
SectionEnd

!macro Associate EXT PROGID DESCRIPTION
  WriteRegStr HKCU "Software\Classes\${EXT}" "" "${PROGID}"
  WriteRegStr HKCU "Software\Classes\${EXT}\OpenWithProgids" "${PROGID}" ""
  WriteRegStr HKCU "Software\Classes\${PROGID}" "" "${DESCRIPTION}"
  WriteRegStr HKCU "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open\command" "" \
    '"$INSTDIR\${APP_EXE}" "%1"'
!macroend

Section "关联 .gkws 工作区和 .gkbundle 数据包文件" SecAssociate
  !insertmacro Associate ".gkws" "${PROGID_WORKSPACE}" "政务公开自查工作区"
  !insertmacro Associate ".gkbundle" "${PROGID_BUNDLE}" "政务公开自查数据包"
  ; SHCNE_ASSOCCHANGED: Explorer shows the new icons without a restart.
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd

; ---- checks ---------------------------------------------------------------------------

; Asks the officer to close the running program (retry / cancel); a silent run cancels
; at once. Quits with EXIT_RUNNING when it is still running.
!macro WaitUntilClosedFunction UN
Function ${UN}WaitUntilClosed
  retry:
  ; SYNCHRONIZE (0x00100000): enough to see that the mutex exists.
  System::Call 'kernel32::OpenMutexW(i 0x00100000, i 0, w "${RUNNING_MUTEX}") p .r0'
  ${If} $0 P<> 0
    System::Call 'kernel32::CloseHandle(p r0)'
    MessageBox MB_ICONEXCLAMATION|MB_RETRYCANCEL "${APP_TITLE}正在运行。$\r$\n$\r$\n请先保存工作并关闭${APP_TITLE}的所有窗口，再点“重试”；点“取消”退出。" /SD IDCANCEL IDRETRY retry
    SetErrorLevel ${EXIT_RUNNING}
    Quit
  ${EndIf}
FunctionEnd
!macroend
!insertmacro WaitUntilClosedFunction ""
!insertmacro WaitUntilClosedFunction "un."

; Sets $R9 and returns from the function when $INSTDIR is DIR or lies under it.
!macro RejectUnder DIR
  StrLen $R4 "${DIR}"
  StrCpy $R5 "$INSTDIR" $R4
  StrCpy $R6 "$INSTDIR" 1 $R4
  ${If} $R5 == "${DIR}"  ; case-insensitive
    ${If} $R6 == ""
    ${OrIf} $R6 == "\"
      StrCpy $R9 "不能安装到“${DIR}”：那里需要管理员权限。$\r$\n请使用默认位置（$LOCALAPPDATA\Programs\${APP_NAME}）或您自己的文件夹。"
      Return
    ${EndIf}
  ${EndIf}
!macroend

; $R9 = "" when $INSTDIR is a per-user folder the installer can write, else the reason.
Function CheckInstallDir
  StrCpy $R9 ""
  ${GetRoot} "$INSTDIR" $R1
  ${If} $R1 == ""
  ${OrIf} $R1 == "$INSTDIR"
    StrCpy $R9 "请选择一个文件夹，而不是整个磁盘。"
    Return
  ${EndIf}
  ; Folders that need administrator rights (this installer never asks for them).
  !insertmacro RejectUnder "$PROGRAMFILES64"
  !insertmacro RejectUnder "$PROGRAMFILES32"
  !insertmacro RejectUnder "$WINDIR"
  ; Writable by this user: create the folder if needed and write a test file.
  StrCpy $R7 ""
  ${IfNot} ${FileExists} "$INSTDIR\*.*"
    StrCpy $R7 "created"
  ${EndIf}
  ClearErrors
  CreateDirectory "$INSTDIR"
  FileOpen $R8 "$INSTDIR\.gongkai-write-test" w
  ${If} ${Errors}
    StrCpy $R9 "无法写入“$INSTDIR”（没有权限或磁盘只读）。$\r$\n请使用默认位置（$LOCALAPPDATA\Programs\${APP_NAME}）。"
  ${Else}
    FileClose $R8
    Delete "$INSTDIR\.gongkai-write-test"
  ${EndIf}
  ${If} $R7 == "created"
    RMDir "$INSTDIR"  ; only if still empty: the install creates it again
  ${EndIf}
FunctionEnd

Function DirectoryLeave
  Call CheckInstallDir
  ${If} $R9 != ""
    MessageBox MB_ICONEXCLAMATION|MB_OK "$R9"
    Abort  ; stay on the directory page
  ${EndIf}
FunctionEnd

Function .onInit
  !insertmacro RequireWindows
  SetRegView 64
  Call WaitUntilClosed
FunctionEnd

; ---- uninstall ------------------------------------------------------------------------

!macro Unassociate EXT PROGID
  ; The suffix is only released when it still points at us (another program may own it now).
  ReadRegStr $0 HKCU "Software\Classes\${EXT}" ""
  ${If} $0 == "${PROGID}"
    DeleteRegValue HKCU "Software\Classes\${EXT}" ""
  ${EndIf}
  DeleteRegValue HKCU "Software\Classes\${EXT}\OpenWithProgids" "${PROGID}"
  DeleteRegKey /ifempty HKCU "Software\Classes\${EXT}\OpenWithProgids"
  DeleteRegKey /ifempty HKCU "Software\Classes\${EXT}"
  DeleteRegKey HKCU "Software\Classes\${PROGID}"
!macroend

Section "un.${APP_TITLE}程序" SecUnProgram
  SectionIn RO
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APP_TITLE}.lnk"
  Delete "$DESKTOP\${APP_TITLE}.lnk"
  !insertmacro Unassociate ".gkws" "${PROGID_WORKSPACE}"
  !insertmacro Unassociate ".gkbundle" "${PROGID_BUNDLE}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  ; Only what the installer put there: the folder itself goes only when it is empty.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"

  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "${APP_KEY}"
SectionEnd

; Unticked by default; a silent uninstall never selects it.
Section /o "un.删除我的数据（工作区、佐证材料、导入的计划和设置）" SecUnData
  SetShellVarContext current
  ; The settings are an INI file in this folder: there is no registry key of the
  ; program's to delete.
  RMDir /r "${USER_DATA_DIR}"
SectionEnd

Function un.onInit
  SetRegView 64
  Call un.WaitUntilClosed
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/REMOVEDATA" $R1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecUnData} ${SF_SELECTED}
  ${EndIf}
FunctionEnd
