; 政务公开自查 (gongkai-desktop) — Windows installer, per user, no administrator rights.
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DDIST_DIR=<dist/gongkai-desktop> \
;            -DOUTFILE=<setup.exe> packaging/installer.nsi
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
!include "LogicLib.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

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
; Where the program keeps the officer's data (platformdirs: user_data_dir, not roaming)
; and its window settings (QSettings: organisation "gongkai", application "gongkai-desktop").
!define USER_DATA_DIR "$LOCALAPPDATA\${APP_NAME}"
!define SETTINGS_KEY "Software\gongkai"
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

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP|MB_OK "本程序需要 64 位 Windows 10 或更新版本。" /SD IDOK
    Abort
  ${EndIf}
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
  RMDir /r "${USER_DATA_DIR}"
  DeleteRegKey HKCU "${SETTINGS_KEY}\${APP_NAME}"
  DeleteRegKey /ifempty HKCU "${SETTINGS_KEY}"
SectionEnd

Function un.onInit
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/REMOVEDATA" $R1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecUnData} ${SF_SELECTED}
  ${EndIf}
FunctionEnd
