// The IIS configuration API (ahadmin.h) for httpserv modules on Linux: IAppHostAdminManager
// and the element, property and collection interfaces modules use to read their own
// configuration sections, plus the schema, section and method interfaces (declared for
// completeness; the server answers them with E_NOTIMPL).
//
// Vtable order and interface ids are those of the Windows SDK's ahadmin.h (the IISA opnums:
// slot n of the C++ vtable is opnum n, counting IUnknown's three). Differences, all ABI
// compatible:
//   - interfaces are C++ classes deriving from IUnknown (httpserv_com.h) with a protected
//     non-virtual destructor, so nothing is added to COM's vtable;
//   - an [in] BSTR parameter is declared `const OLECHAR*`: L"..." literals, _bstr_t and plain
//     wide strings may be passed (MSVC accepts them for BSTR); the server never reads the length
//     prefix of an [in] string;
//   - IAppHostElementCollection::CreateNewElement has no default argument (neither has the
//     SDK's C++ declaration).
// What the server implements, and how (paths, merging, VARIANT types): docs/iis-headers.md,
// "The configuration API".

#ifndef HTTPSERV_AHADMIN_H_
#define HTTPSERV_AHADMIN_H_

#include "compat/httpserv_com.h"
#include "compat/httpserv_uuid.h"
#include "compat/secure_crt.h"  // MSVC's stdio has printf_s; Microsoft's samples use it
#include "compat/windef.h"
#include "compat/winerror.h"

class IAppHostMappingExtension;
class IAppHostChildElementCollection;
class IAppHostPropertyCollection;
class IAppHostConfigLocationCollection;
class IAppHostMethodCollection;
class IAppHostElementSchemaCollection;
class IAppHostPropertySchemaCollection;
class IAppHostConstantValueCollection;
class IAppHostConstantValue;
class IAppHostPropertySchema;
class IAppHostCollectionSchema;
class IAppHostElementSchema;
class IAppHostMethodSchema;
class IAppHostMethodInstance;
class IAppHostMethod;
class IAppHostConfigException;
class IAppHostPropertyException;
class IAppHostElementCollection;
class IAppHostElement;
class IAppHostProperty;
class IAppHostConfigLocation;
class IAppHostSectionDefinition;
class IAppHostSectionDefinitionCollection;
class IAppHostSectionGroup;
class IAppHostConfigFile;
class IAppHostPathMapper;
class IAppHostChangeHandler;
class IAppHostAdminManager;
class IAppHostWritableAdminManager;
class IAppHostConfigManager;

// IAppHostMappingExtension (31a83ea0-c0e4-4a2c-8a01-353cc2a4c60a).
class IAppHostMappingExtension : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE GetSiteNameFromSiteId(DWORD dwSiteId, BSTR* pbstrSiteName) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetSiteIdFromSiteName(const OLECHAR* bstrSiteName,
                                                          DWORD* pdwSiteId) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetSiteElementFromSiteId(DWORD dwSiteId,
                                                             IAppHostElement** ppSiteElement) = 0;
  virtual HRESULT STDMETHODCALLTYPE MapPath(const OLECHAR* bstrSiteName,
                                            const OLECHAR* bstrVirtualPath, BSTR* pbstrPhysicalPath,
                                            IAppHostElement** ppVirtualDirectoryElement,
                                            IAppHostElement** ppApplicationElement) = 0;

 protected:
  ~IAppHostMappingExtension() = default;
};
HTTPSERV_DEFINE_IID(IAppHostMappingExtension, "31a83ea0-c0e4-4a2c-8a01-353cc2a4c60a");

// IAppHostChildElementCollection (08a90f5f-0702-48d6-b45f-02a9885a9768).
class IAppHostChildElementCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex, IAppHostElement** ppElement) = 0;

 protected:
  ~IAppHostChildElementCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostChildElementCollection, "08a90f5f-0702-48d6-b45f-02a9885a9768");

// IAppHostPropertyCollection (0191775e-bcff-445a-b4f4-3bdda54e2816).
class IAppHostPropertyCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex, IAppHostProperty** ppProperty) = 0;

 protected:
  ~IAppHostPropertyCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostPropertyCollection, "0191775e-bcff-445a-b4f4-3bdda54e2816");

// IAppHostConfigLocationCollection (832a32f7-b3ea-4b8c-b260-9a2923001184).
class IAppHostConfigLocationCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT varIndex,
                                             IAppHostConfigLocation** ppLocation) = 0;
  virtual HRESULT STDMETHODCALLTYPE AddLocation(const OLECHAR* bstrLocationPath,
                                                IAppHostConfigLocation** ppNewLocation) = 0;
  virtual HRESULT STDMETHODCALLTYPE DeleteLocation(VARIANT cIndex) = 0;
  virtual HRESULT STDMETHODCALLTYPE RenameLocation(VARIANT varIndex,
                                                   const OLECHAR* bstrLocationPath) = 0;

 protected:
  ~IAppHostConfigLocationCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostConfigLocationCollection, "832a32f7-b3ea-4b8c-b260-9a2923001184");

// IAppHostMethodCollection (d6c7cd8f-bb8d-4f96-b591-d3a5f1320269).
class IAppHostMethodCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex, IAppHostMethod** ppMethod) = 0;

 protected:
  ~IAppHostMethodCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostMethodCollection, "d6c7cd8f-bb8d-4f96-b591-d3a5f1320269");

// IAppHostElementSchemaCollection (0344cdda-151e-4cbf-82da-66ae61e97754).
class IAppHostElementSchemaCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex,
                                             IAppHostElementSchema** ppElementSchema) = 0;

 protected:
  ~IAppHostElementSchemaCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostElementSchemaCollection, "0344cdda-151e-4cbf-82da-66ae61e97754");

// IAppHostPropertySchemaCollection (8bed2c68-a5fb-4b28-8581-a0dc5267419f).
class IAppHostPropertySchemaCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex,
                                             IAppHostPropertySchema** ppPropertySchema) = 0;

 protected:
  ~IAppHostPropertySchemaCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostPropertySchemaCollection, "8bed2c68-a5fb-4b28-8581-a0dc5267419f");

// IAppHostConstantValueCollection (5b5a68e6-8b9f-45e1-8199-a95ffccdffff).
class IAppHostConstantValueCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex,
                                             IAppHostConstantValue** ppConstantValue) = 0;

 protected:
  ~IAppHostConstantValueCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostConstantValueCollection, "5b5a68e6-8b9f-45e1-8199-a95ffccdffff");

// IAppHostConstantValue (0716caf8-7d05-4a46-8099-77594be91394).
class IAppHostConstantValue : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Value(DWORD* pdwValue) = 0;

 protected:
  ~IAppHostConstantValue() = default;
};
HTTPSERV_DEFINE_IID(IAppHostConstantValue, "0716caf8-7d05-4a46-8099-77594be91394");

// IAppHostPropertySchema (450386db-7409-4667-935e-384dbbee2a9e).
class IAppHostPropertySchema : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Type(BSTR* pbstrType) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_DefaultValue(VARIANT* pDefaultValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_IsRequired(VARIANT_BOOL* pfIsRequired) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_IsUniqueKey(VARIANT_BOOL* pfIsUniqueKey) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_IsCombinedKey(VARIANT_BOOL* pfIsCombinedKey) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_IsExpanded(VARIANT_BOOL* pfIsExpanded) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_ValidationType(BSTR* pbstrValidationType) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_ValidationParameter(BSTR* pbstrValidationParameter) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_IsCaseSensitive(VARIANT_BOOL* pfIsCaseSensitive) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_PossibleValues(IAppHostConstantValueCollection** ppValues) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_DoesAllowInfinite(VARIANT_BOOL* pfAllowInfinite) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_IsEncrypted(VARIANT_BOOL* pfIsEncrypted) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_TimeSpanFormat(BSTR* pbstrTimeSpanFormat) = 0;

 protected:
  ~IAppHostPropertySchema() = default;
};
HTTPSERV_DEFINE_IID(IAppHostPropertySchema, "450386db-7409-4667-935e-384dbbee2a9e");

// IAppHostCollectionSchema (de095db1-5368-4d11-81f6-efef619b7bcf).
class IAppHostCollectionSchema : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_AddElementNames(BSTR* pbstrElementName) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetAddElementSchema(const OLECHAR* bstrElementName,
                                                        IAppHostElementSchema** ppSchema) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_RemoveElementSchema(IAppHostElementSchema** ppSchema) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_ClearElementSchema(IAppHostElementSchema** ppSchema) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_IsMergeAppend(VARIANT_BOOL* pfIsMergeAppend) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_DoesAllowDuplicates(VARIANT_BOOL* pfAllowDuplicates) = 0;

 protected:
  ~IAppHostCollectionSchema() = default;
};
HTTPSERV_DEFINE_IID(IAppHostCollectionSchema, "de095db1-5368-4d11-81f6-efef619b7bcf");

// IAppHostElementSchema (ef13d885-642c-4709-99ec-b89561c6bc69).
class IAppHostElementSchema : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_DoesAllowUnschematizedProperties(VARIANT_BOOL* pfAllowUnschematized) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_CollectionSchema(IAppHostCollectionSchema** ppCollectionSchema) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_ChildElementSchemas(IAppHostElementSchemaCollection** ppChildSchemas) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_PropertySchemas(IAppHostPropertySchemaCollection** ppPropertySchemas) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_IsCollectionDefault(VARIANT_BOOL* pfIsCollectionDefault) = 0;

 protected:
  ~IAppHostElementSchema() = default;
};
HTTPSERV_DEFINE_IID(IAppHostElementSchema, "ef13d885-642c-4709-99ec-b89561c6bc69");

// IAppHostMethodSchema (2d9915fb-9d42-4328-b782-1b46819fab9e).
class IAppHostMethodSchema : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_InputSchema(IAppHostElementSchema** ppInputSchema) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_OutputSchema(IAppHostElementSchema** ppOutputSchema) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;

 protected:
  ~IAppHostMethodSchema() = default;
};
HTTPSERV_DEFINE_IID(IAppHostMethodSchema, "2d9915fb-9d42-4328-b782-1b46819fab9e");

// IAppHostMethodInstance (b80f3c42-60e0-4ae0-9007-f52852d3dbed).
class IAppHostMethodInstance : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Input(IAppHostElement** ppInputElement) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Output(IAppHostElement** ppOutputElement) = 0;
  virtual HRESULT STDMETHODCALLTYPE Execute() = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR* bstrMetadataType, VARIANT value) = 0;

 protected:
  ~IAppHostMethodInstance() = default;
};
HTTPSERV_DEFINE_IID(IAppHostMethodInstance, "b80f3c42-60e0-4ae0-9007-f52852d3dbed");

// IAppHostMethod (7883ca1c-1112-4447-84c3-52fbeb38069d).
class IAppHostMethod : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Schema(IAppHostMethodSchema** ppMethodSchema) = 0;
  virtual HRESULT STDMETHODCALLTYPE CreateInstance(IAppHostMethodInstance** ppMethodInstance) = 0;

 protected:
  ~IAppHostMethod() = default;
};
HTTPSERV_DEFINE_IID(IAppHostMethod, "7883ca1c-1112-4447-84c3-52fbeb38069d");

// IAppHostConfigException (4dfa1df3-8900-4bc7-bbb5-d1a458c52410).
class IAppHostConfigException : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_LineNumber(ULONG* pcLineNumber) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_FileName(BSTR* pbstrFileName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_ConfigPath(BSTR* pbstrConfigPath) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_ErrorLine(BSTR* pbstrErrorLine) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_PreErrorLine(BSTR* pbstrPreErrorLine) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_PostErrorLine(BSTR* pbstrPostErrorLine) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_ErrorString(BSTR* pbstrErrorString) = 0;

 protected:
  ~IAppHostConfigException() = default;
};
HTTPSERV_DEFINE_IID(IAppHostConfigException, "4dfa1df3-8900-4bc7-bbb5-d1a458c52410");

// IAppHostPropertyException (eafe4895-a929-41ea-b14d-613e23f62b71).
class IAppHostPropertyException : public IAppHostConfigException {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_InvalidValue(BSTR* pbstrValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_ValidationFailureReason(BSTR* pbstrValidationReason) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_ValidationFailureParameters(SAFEARRAY** pParameterArray) = 0;

 protected:
  ~IAppHostPropertyException() = default;
};
HTTPSERV_DEFINE_IID(IAppHostPropertyException, "eafe4895-a929-41ea-b14d-613e23f62b71");

// IAppHostElementCollection (c8550bff-5281-4b1e-ac34-99b6fa38464d).
class IAppHostElementCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcElementCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex, IAppHostElement** ppElement) = 0;
  virtual HRESULT STDMETHODCALLTYPE AddElement(IAppHostElement* pElement, INT cPosition = -1) = 0;
  virtual HRESULT STDMETHODCALLTYPE DeleteElement(VARIANT cIndex) = 0;
  virtual HRESULT STDMETHODCALLTYPE Clear() = 0;
  virtual HRESULT STDMETHODCALLTYPE CreateNewElement(const OLECHAR* bstrElementName,
                                                     IAppHostElement** ppElement) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Schema(IAppHostCollectionSchema** ppSchema) = 0;

 protected:
  ~IAppHostElementCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostElementCollection, "c8550bff-5281-4b1e-ac34-99b6fa38464d");

// IAppHostElement (64ff8ccc-b287-4dae-b08a-a72cbf45f453).
class IAppHostElement : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Collection(IAppHostElementCollection** ppCollection) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Properties(IAppHostPropertyCollection** ppProperties) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_ChildElements(IAppHostChildElementCollection** ppElements) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR* bstrMetadataType, VARIANT value) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Schema(IAppHostElementSchema** ppSchema) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetElementByName(const OLECHAR* bstrSubName,
                                                     IAppHostElement** ppElement) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetPropertyByName(const OLECHAR* bstrSubName,
                                                      IAppHostProperty** ppProperty) = 0;
  virtual HRESULT STDMETHODCALLTYPE Clear() = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Methods(IAppHostMethodCollection** ppMethods) = 0;

 protected:
  ~IAppHostElement() = default;
};
HTTPSERV_DEFINE_IID(IAppHostElement, "64ff8ccc-b287-4dae-b08a-a72cbf45f453");

// IAppHostProperty (ed35f7a1-5024-4e7b-a44d-07ddaf4b524d).
class IAppHostProperty : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Value(VARIANT* pVariant) = 0;
  virtual HRESULT STDMETHODCALLTYPE put_Value(VARIANT value) = 0;
  virtual HRESULT STDMETHODCALLTYPE Clear() = 0;
  virtual HRESULT STDMETHODCALLTYPE get_StringValue(BSTR* pbstrValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Exception(IAppHostPropertyException** ppException) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR* bstrMetadataType, VARIANT value) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Schema(IAppHostPropertySchema** ppSchema) = 0;

 protected:
  ~IAppHostProperty() = default;
};
HTTPSERV_DEFINE_IID(IAppHostProperty, "ed35f7a1-5024-4e7b-a44d-07ddaf4b524d");

// IAppHostConfigLocation (370af178-7758-4dad-8146-7391f6e18585).
class IAppHostConfigLocation : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Path(BSTR* pbstrLocationPath) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Count(DWORD* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT cIndex, IAppHostElement** ppSection) = 0;
  virtual HRESULT STDMETHODCALLTYPE AddConfigSection(const OLECHAR* bstrSectionName,
                                                     IAppHostElement** ppAdminElement) = 0;
  virtual HRESULT STDMETHODCALLTYPE DeleteConfigSection(VARIANT cIndex) = 0;

 protected:
  ~IAppHostConfigLocation() = default;
};
HTTPSERV_DEFINE_IID(IAppHostConfigLocation, "370af178-7758-4dad-8146-7391f6e18585");

// IAppHostSectionDefinition (c5c04795-321c-4014-8fd6-d44658799393).
class IAppHostSectionDefinition : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Type(BSTR* pbstrType) = 0;
  virtual HRESULT STDMETHODCALLTYPE put_Type(const OLECHAR* bstrType) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_OverrideModeDefault(BSTR* pbstrOverrideModeDefault) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  put_OverrideModeDefault(const OLECHAR* bstrOverrideModeDefault) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_AllowDefinition(BSTR* pbstrAllowDefinition) = 0;
  virtual HRESULT STDMETHODCALLTYPE put_AllowDefinition(const OLECHAR* bstrAllowDefinition) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_AllowLocation(BSTR* pbstrAllowLocation) = 0;
  virtual HRESULT STDMETHODCALLTYPE put_AllowLocation(const OLECHAR* bstrAllowLocation) = 0;

 protected:
  ~IAppHostSectionDefinition() = default;
};
HTTPSERV_DEFINE_IID(IAppHostSectionDefinition, "c5c04795-321c-4014-8fd6-d44658799393");

// IAppHostSectionDefinitionCollection (b7d381ee-8860-47a1-8af4-1f33b2b1f325).
class IAppHostSectionDefinitionCollection : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(ULONG* pcCount) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT varIndex,
                                             IAppHostSectionDefinition** ppConfigSection) = 0;
  virtual HRESULT STDMETHODCALLTYPE AddSection(const OLECHAR* bstrSectionName,
                                               IAppHostSectionDefinition** ppConfigSection) = 0;
  virtual HRESULT STDMETHODCALLTYPE DeleteSection(VARIANT varIndex) = 0;

 protected:
  ~IAppHostSectionDefinitionCollection() = default;
};
HTTPSERV_DEFINE_IID(IAppHostSectionDefinitionCollection, "b7d381ee-8860-47a1-8af4-1f33b2b1f325");

// IAppHostSectionGroup (0dd8a158-ebe6-4008-a1d9-b7ecc8f1104b).
class IAppHostSectionGroup : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_Count(ULONG* pcSectionGroup) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Item(VARIANT varIndex,
                                             IAppHostSectionGroup** ppSectionGroup) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_Sections(IAppHostSectionDefinitionCollection** ppSections) = 0;
  virtual HRESULT STDMETHODCALLTYPE AddSectionGroup(const OLECHAR* bstrSectionGroupName,
                                                    IAppHostSectionGroup** ppSectionGroup) = 0;
  virtual HRESULT STDMETHODCALLTYPE DeleteSectionGroup(VARIANT varIndex) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Name(BSTR* pbstrName) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_Type(BSTR* pbstrType) = 0;
  virtual HRESULT STDMETHODCALLTYPE put_Type(const OLECHAR* bstrType) = 0;

 protected:
  ~IAppHostSectionGroup() = default;
};
HTTPSERV_DEFINE_IID(IAppHostSectionGroup, "0dd8a158-ebe6-4008-a1d9-b7ecc8f1104b");

// IAppHostConfigFile (ada4e6fb-e025-401e-a5d0-c3134a281f07).
class IAppHostConfigFile : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE get_ConfigPath(BSTR* pbstrConfigPath) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_FilePath(BSTR* pbstrFilePath) = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_Locations(IAppHostConfigLocationCollection** ppLocations) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetAdminSection(const OLECHAR* bstrSectionName,
                                                    const OLECHAR* bstrPath,
                                                    IAppHostElement** ppAdminSection) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR* bstrMetadataType, VARIANT value) = 0;
  virtual HRESULT STDMETHODCALLTYPE ClearInvalidSections() = 0;
  virtual HRESULT STDMETHODCALLTYPE
  get_RootSectionGroup(IAppHostSectionGroup** ppSectionGroups) = 0;

 protected:
  ~IAppHostConfigFile() = default;
};
HTTPSERV_DEFINE_IID(IAppHostConfigFile, "ada4e6fb-e025-401e-a5d0-c3134a281f07");

// IAppHostPathMapper (e7927575-5cc3-403b-822e-328a6b904bee).
class IAppHostPathMapper : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE MapPath(const OLECHAR* bstrConfigPath,
                                            const OLECHAR* bstrMappedPhysicalPath,
                                            BSTR* pbstrNewPhysicalPath) = 0;

 protected:
  ~IAppHostPathMapper() = default;
};
HTTPSERV_DEFINE_IID(IAppHostPathMapper, "e7927575-5cc3-403b-822e-328a6b904bee");

// IAppHostChangeHandler (09829352-87c2-418d-8d79-4133969a489d).
class IAppHostChangeHandler : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE OnSectionChanges(const OLECHAR* bstrSectionName,
                                                     const OLECHAR* bstrConfigPath) = 0;

 protected:
  ~IAppHostChangeHandler() = default;
};
HTTPSERV_DEFINE_IID(IAppHostChangeHandler, "09829352-87c2-418d-8d79-4133969a489d");

// IAppHostAdminManager (9be77978-73ed-4a9a-87fd-13f09fec1b13).
class IAppHostAdminManager : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE GetAdminSection(const OLECHAR* bstrSectionName,
                                                    const OLECHAR* bstrPath,
                                                    IAppHostElement** ppAdminSection) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetMetadata(const OLECHAR* bstrMetadataType,
                                                VARIANT* pValue) = 0;
  virtual HRESULT STDMETHODCALLTYPE SetMetadata(const OLECHAR* bstrMetadataType, VARIANT value) = 0;
  virtual HRESULT STDMETHODCALLTYPE get_ConfigManager(IAppHostConfigManager** ppConfigManager) = 0;

 protected:
  ~IAppHostAdminManager() = default;
};
HTTPSERV_DEFINE_IID(IAppHostAdminManager, "9be77978-73ed-4a9a-87fd-13f09fec1b13");

// IAppHostWritableAdminManager (fa7660f6-7b3f-4237-a8bf-ed0ad0dcbbd9).
class IAppHostWritableAdminManager : public IAppHostAdminManager {
 public:
  virtual HRESULT STDMETHODCALLTYPE CommitChanges() = 0;
  virtual HRESULT STDMETHODCALLTYPE get_CommitPath(BSTR* pbstrCommitPath) = 0;
  virtual HRESULT STDMETHODCALLTYPE put_CommitPath(const OLECHAR* bstrCommitPath) = 0;

 protected:
  ~IAppHostWritableAdminManager() = default;
};
HTTPSERV_DEFINE_IID(IAppHostWritableAdminManager, "fa7660f6-7b3f-4237-a8bf-ed0ad0dcbbd9");

// IAppHostConfigManager (8f6d760f-f0cb-4d69-b5f6-848b33e9bdc6).
class IAppHostConfigManager : public IUnknown {
 public:
  virtual HRESULT STDMETHODCALLTYPE GetConfigFile(const OLECHAR* bstrConfigPath,
                                                  IAppHostConfigFile** ppConfigFile) = 0;
  virtual HRESULT STDMETHODCALLTYPE GetUniqueConfigPath(const OLECHAR* bstrConfigPath,
                                                        BSTR* pbstrUniquePath) = 0;

 protected:
  ~IAppHostConfigManager() = default;
};
HTTPSERV_DEFINE_IID(IAppHostConfigManager, "8f6d760f-f0cb-4d69-b5f6-848b33e9bdc6");

// The coclasses: CoCreateInstance(__uuidof(AppHostAdminManager), NULL, CLSCTX_INPROC_SERVER,
// __uuidof(IAppHostAdminManager), (void**)&p) gives the server's configuration (a new
// reference: Release it). The writable manager reads the same configuration; its writes
// (CommitChanges, put_Value, ...) fail with E_ACCESSDENIED.
class AppHostAdminManager;
class AppHostWritableAdminManager;
HTTPSERV_DEFINE_IID(AppHostAdminManager, "228fb8f7-fb53-4fd5-8c7b-ff59de606c5b");
HTTPSERV_DEFINE_IID(AppHostWritableAdminManager, "2b72133b-3f5b-4602-8952-803546ce3344");

inline constexpr GUID CLSID_AppHostAdminManager = HttpservIid<AppHostAdminManager>::value;
inline constexpr GUID CLSID_AppHostWritableAdminManager =
    HttpservIid<AppHostWritableAdminManager>::value;
inline constexpr GUID LIBID_AppHostAdminLibrary =
    ::httpserv::detail::guid_from_string("598f9c7d-d2d7-4980-b234-f1e753cd9fd9");
inline constexpr GUID IID_IAppHostAdminManager = HttpservIid<IAppHostAdminManager>::value;
inline constexpr GUID IID_IAppHostWritableAdminManager =
    HttpservIid<IAppHostWritableAdminManager>::value;
inline constexpr GUID IID_IAppHostElement = HttpservIid<IAppHostElement>::value;
inline constexpr GUID IID_IAppHostProperty = HttpservIid<IAppHostProperty>::value;
inline constexpr GUID IID_IAppHostElementCollection = HttpservIid<IAppHostElementCollection>::value;
inline constexpr GUID IID_IAppHostPropertyCollection =
    HttpservIid<IAppHostPropertyCollection>::value;
inline constexpr GUID IID_IAppHostChildElementCollection =
    HttpservIid<IAppHostChildElementCollection>::value;
inline constexpr GUID IID_IAppHostConfigException = HttpservIid<IAppHostConfigException>::value;
inline constexpr GUID IID_IAppHostPropertyException = HttpservIid<IAppHostPropertyException>::value;

#endif  // HTTPSERV_AHADMIN_H_
