var it,U,kn,be,Ht,In,Sn,mt,ze,Ue,Cn,xt,wt,_t,$n,Ze={},et=[],dr=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,st=Array.isArray;function fe(n,t){for(var r in t)n[r]=t[r];return n}function Tt(n){n&&n.parentNode&&n.parentNode.removeChild(n)}function ur(n,t,r){var s,i,a,o={};for(a in t)a=="key"?s=t[a]:a=="ref"?i=t[a]:o[a]=t[a];if(arguments.length>2&&(o.children=arguments.length>3?it.call(arguments,2):r),typeof n=="function"&&n.defaultProps!=null)for(a in n.defaultProps)o[a]===void 0&&(o[a]=n.defaultProps[a]);return Ge(n,o,s,i,null)}function Ge(n,t,r,s,i){var a={type:n,props:t,key:r,ref:s,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:i??++kn,__i:-1,__u:0};return i==null&&U.vnode!=null&&U.vnode(a),a}function $(n){return n.children}function Ke(n,t){this.props=n,this.context=t}function we(n,t){if(t==null)return n.__?we(n.__,n.__i+1):null;for(var r;t<n.__k.length;t++)if((r=n.__k[t])!=null&&r.__e!=null)return r.__e;return typeof n.type=="function"?we(n):null}function hr(n){if(n.__P&&n.__d){var t=n.__v,r=t.__e,s=[],i=[],a=fe({},t);a.__v=t.__v+1,U.vnode&&U.vnode(a),Nt(n.__P,a,t,n.__n,n.__P.namespaceURI,32&t.__u?[r]:null,s,r??we(t),!!(32&t.__u),i),a.__v=t.__v,a.__.__k[a.__i]=a,Tn(s,a,i),t.__e=t.__=null,a.__e!=r&&Rn(a)}}function Rn(n){if((n=n.__)!=null&&n.__c!=null)return n.__e=n.__c.base=null,n.__k.some(function(t){if(t!=null&&t.__e!=null)return n.__e=n.__c.base=t.__e}),Rn(n)}function kt(n){(!n.__d&&(n.__d=!0)&&be.push(n)&&!tt.__r++||Ht!=U.debounceRendering)&&((Ht=U.debounceRendering)||In)(tt)}function tt(){try{for(var n,t=1;be.length;)be.length>t&&be.sort(Sn),n=be.shift(),t=be.length,hr(n)}finally{be.length=tt.__r=0}}function An(n,t,r,s,i,a,o,c,u,l,h){var b,d,f,p,y,v,_=s&&s.__k||et,k=t.length;for(u=mr(r,t,_,u,k),b=0;b<k;b++)(f=r.__k[b])!=null&&(d=f.__i!=-1&&_[f.__i]||Ze,f.__i=b,v=Nt(n,f,d,i,a,o,c,u,l,h),p=f.__e,f.ref&&d.ref!=f.ref&&(d.ref&&Pt(d.ref,null,f),h.push(f.ref,f.__c||p,f)),y==null&&p!=null&&(y=p),4&f.__u?(u=En(f,u,n),d.__e&&(d.__e=null)):typeof f.type=="function"&&v!==void 0?u=v:p&&(u=p.nextSibling),f.__u&=-7);return r.__e=y,u}function mr(n,t,r,s,i){var a,o,c,u,l,h=r.length,b=h,d=0;for(n.__k=new Array(i),a=0;a<i;a++)(o=t[a])!=null&&typeof o!="boolean"&&typeof o!="function"?(typeof o=="string"||typeof o=="number"||typeof o=="bigint"||o.constructor==String?o=n.__k[a]=Ge(null,o,null,null,null):st(o)?o=n.__k[a]=Ge($,{children:o},null,null,null):o.constructor===void 0&&o.__b>0?o=n.__k[a]=Ge(o.type,o.props,o.key,o.ref?o.ref:null,o.__v):n.__k[a]=o,u=a+d,o.__=n,o.__b=n.__b+1,c=null,(l=o.__i=fr(o,r,u,b))!=-1&&(b--,(c=r[l])&&(c.__u|=2)),c==null||c.__v==null?(l==-1&&(i>h?d--:i<h&&d++),typeof o.type!="function"&&(o.__u|=4)):l!=u&&(l==u-1?d--:l==u+1?d++:(l>u?d--:d++,o.__u|=4))):n.__k[a]=null;if(b)for(a=0;a<h;a++)(c=r[a])!=null&&(2&c.__u)==0&&(c.__e==s&&(s=we(c)),Pn(c,c));return s}function En(n,t,r){var s,i;if(typeof n.type=="function"){for(s=n.__k,i=0;s&&i<s.length;i++)s[i]&&(s[i].__=n,t=En(s[i],t,r));return t}n.__e!=t&&(t&&n.type&&!t.parentNode&&(t=we(n)),t=r.insertBefore(n.__e,t||null));do t=t&&t.nextSibling;while(t!=null&&t.nodeType==8);return t}function fr(n,t,r,s){var i,a,o,c=n.key,u=n.type,l=t[r],h=l!=null&&(2&l.__u)==0;if(l===null&&c==null||h&&c==l.key&&u==l.type)return r;if(s>(h?1:0)){for(i=r-1,a=r+1;i>=0||a<t.length;)if((l=t[o=i>=0?i--:a++])!=null&&(2&l.__u)==0&&c==l.key&&u==l.type)return o}return-1}function Vt(n,t,r){t[0]=="-"?n.setProperty(t,r??""):n[t]=r==null?"":typeof r!="number"||dr.test(t)?r:r+"px"}function Ye(n,t,r,s,i){var a,o;e:if(t=="style")if(typeof r=="string")n.style.cssText=r;else{if(typeof s=="string"&&(n.style.cssText=s=""),s)for(t in s)r&&t in r||Vt(n.style,t,"");if(r)for(t in r)s&&r[t]==s[t]||Vt(n.style,t,r[t])}else if(t[0]=="o"&&t[1]=="n")a=t!=(t=t.replace(Cn,"$1")),o=t.toLowerCase(),t=o in n||t=="onFocusOut"||t=="onFocusIn"?o.slice(2):t.slice(2),n.l||(n.l={}),n.l[t+a]=r,r?s?r[Ue]=s[Ue]:(r[Ue]=xt,n.addEventListener(t,a?_t:wt,a)):n.removeEventListener(t,a?_t:wt,a);else{if(i=="http://www.w3.org/2000/svg")t=t.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(t!="width"&&t!="height"&&t!="href"&&t!="list"&&t!="form"&&t!="tabIndex"&&t!="download"&&t!="rowSpan"&&t!="colSpan"&&t!="role"&&t!="popover"&&t in n)try{n[t]=r??"";break e}catch{}typeof r=="function"||(r==null||r===!1&&t[4]!="-"?n.removeAttribute(t):n.setAttribute(t,t=="popover"&&r==1?"":r))}}function zt(n){return function(t){if(this.l){var r=this.l[t.type+n];if(t[ze]==null)t[ze]=xt++;else if(t[ze]<r[Ue])return;return r(U.event?U.event(t):t)}}}function Nt(n,t,r,s,i,a,o,c,u,l){var h,b,d,f,p,y,v,_,k,S,A,E,q,G,ie,le,J=t.type;if(t.constructor!==void 0)return null;128&r.__u&&(u=!!(32&r.__u),a=[c=t.__e=r.__e]),(h=U.__b)&&h(t);e:if(typeof J=="function"){b=o.length;try{if(k=t.props,S=J.prototype&&J.prototype.render,A=(h=J.contextType)&&s[h.__c],E=h?A?A.props.value:h.__:s,r.__c?_=(d=t.__c=r.__c).__=d.__E:(S?t.__c=d=new J(k,E):(t.__c=d=new Ke(k,E),d.constructor=J,d.render=yr),A&&A.sub(d),d.state||(d.state={}),d.__n=s,f=d.__d=!0,d.__h=[],d._sb=[]),S&&d.__s==null&&(d.__s=d.state),S&&J.getDerivedStateFromProps!=null&&(d.__s==d.state&&(d.__s=fe({},d.__s)),fe(d.__s,J.getDerivedStateFromProps(k,d.__s))),p=d.props,y=d.state,d.__v=t,f)S&&J.getDerivedStateFromProps==null&&d.componentWillMount!=null&&d.componentWillMount(),S&&d.componentDidMount!=null&&d.__h.push(d.componentDidMount);else{if(S&&J.getDerivedStateFromProps==null&&k!==p&&d.componentWillReceiveProps!=null&&d.componentWillReceiveProps(k,E),t.__v==r.__v||!d.__e&&d.shouldComponentUpdate!=null&&d.shouldComponentUpdate(k,d.__s,E)===!1){t.__v!=r.__v&&(d.props=k,d.state=d.__s,d.__d=!1),t.__e=r.__e,t.__k=r.__k,t.__k.some(function(ce){ce&&(ce.__=t)}),et.push.apply(d.__h,d._sb),d._sb=[],d.__h.length&&o.push(d),c=we(r);break e}d.componentWillUpdate!=null&&d.componentWillUpdate(k,d.__s,E),S&&d.componentDidUpdate!=null&&d.__h.push(function(){d.componentDidUpdate(p,y,v)})}if(d.context=E,d.props=k,d.__P=n,d.__e=!1,q=U.__r,G=0,S)d.state=d.__s,d.__d=!1,q&&q(t),h=d.render(d.props,d.state,d.context),et.push.apply(d.__h,d._sb),d._sb=[];else do d.__d=!1,q&&q(t),h=d.render(d.props,d.state,d.context),d.state=d.__s;while(d.__d&&++G<25);d.state=d.__s,d.getChildContext!=null&&(s=fe(fe({},s),d.getChildContext())),S&&!f&&d.getSnapshotBeforeUpdate!=null&&(v=d.getSnapshotBeforeUpdate(p,y)),ie=h!=null&&h.type===$&&h.key==null?Nn(h.props.children):h,c=An(n,st(ie)?ie:[ie],t,r,s,i,a,o,c,u,l),d.base=t.__e,t.__u&=-161,d.__h.length&&o.push(d),_&&(d.__E=d.__=null)}catch(ce){if(o.length=b,t.__v=null,u||a!=null){if(ce.then){for(t.__u|=u?160:128;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;a!=null&&(a[a.indexOf(c)]=null),t.__e=c}else if(a!=null)for(le=a.length;le--;)Tt(a[le])}else t.__e=r.__e;t.__k==null&&(t.__k=r.__k||[]),ce.then||xn(t),U.__e(ce,t,r)}}else a==null&&t.__v==r.__v?(t.__k=r.__k,t.__e=r.__e):c=t.__e=pr(r.__e,t,r,s,i,a,o,u,l);return(h=U.diffed)&&h(t),128&t.__u?void 0:c}function xn(n){n&&(n.__c&&(n.__c.__e=!0),n.__k&&n.__k.some(xn))}function Tn(n,t,r){for(var s=0;s<r.length;s++)Pt(r[s],r[++s],r[++s]);U.__c&&U.__c(t,n),n.some(function(i){try{n=i.__h,i.__h=[],n.some(function(a){a.call(i)})}catch(a){U.__e(a,i.__v)}})}function Nn(n){return typeof n!="object"||n==null||n.__b>0?n:st(n)?n.map(Nn):n.constructor!==void 0?null:fe({},n)}function pr(n,t,r,s,i,a,o,c,u){var l,h,b,d,f,p,y,v=r.props||Ze,_=t.props,k=t.type;if(k=="svg"?i="http://www.w3.org/2000/svg":k=="math"?i="http://www.w3.org/1998/Math/MathML":i||(i="http://www.w3.org/1999/xhtml"),a!=null){for(l=0;l<a.length;l++)if((f=a[l])&&"setAttribute"in f==!!k&&(k?f.localName==k:f.nodeType==3)){n=f,a[l]=null;break}}if(n==null){if(k==null)return document.createTextNode(_);n=document.createElementNS(i,k,_.is&&_),c&&(U.__m&&U.__m(t,a),c=!1),a=null}if(k==null)v===_||c&&n.data==_||(n.data=_);else{if(a=k=="textarea"&&_.defaultValue!=null?null:a&&it.call(n.childNodes),!c&&a!=null)for(v={},l=0;l<n.attributes.length;l++)v[(f=n.attributes[l]).name]=f.value;for(l in v)f=v[l],l=="dangerouslySetInnerHTML"?b=f:l=="children"||l in _||l=="value"&&"defaultValue"in _||l=="checked"&&"defaultChecked"in _||Ye(n,l,null,f,i);for(l in _)f=_[l],l=="children"?d=f:l=="dangerouslySetInnerHTML"?h=f:l=="value"?p=f:l=="checked"?y=f:c&&typeof f!="function"||v[l]===f||Ye(n,l,f,v[l],i);if(h)c||b&&(h.__html==b.__html||h.__html==n.innerHTML)||(n.innerHTML=h.__html),t.__k=[];else if(b&&(n.innerHTML=""),An(t.type=="template"?n.content:n,st(d)?d:[d],t,r,s,k=="foreignObject"?"http://www.w3.org/1999/xhtml":i,a,o,a?a[0]:r.__k&&we(r,0),c,u),a!=null)for(l=a.length;l--;)Tt(a[l]);c&&k!="textarea"||(l="value",k=="progress"&&p==null?n.removeAttribute("value"):p!=null&&(p!==n[l]||k=="progress"&&!p||k=="option"&&p!=v[l])&&Ye(n,l,p,v[l],i),l="checked",y!=null&&y!=n[l]&&Ye(n,l,y,v[l],i))}return n}function Pt(n,t,r){try{if(typeof n=="function"){var s=typeof n.__u=="function";s&&n.__u(),s&&t==null||(n.__u=n(t))}else n.current=t}catch(i){U.__e(i,r)}}function Pn(n,t,r){var s,i;if(U.unmount&&U.unmount(n),(s=n.ref)&&(s.current&&s.current!=n.__e||Pt(s,null,t)),(s=n.__c)!=null){if(s.componentWillUnmount)try{s.componentWillUnmount()}catch(a){U.__e(a,t)}s.base=s.__P=s.__n=null}if(s=n.__k)for(i=0;i<s.length;i++)s[i]&&Pn(s[i],t,r||typeof n.type!="function");r||Tt(n.__e),n.__c=n.__=n.__e=void 0}function yr(n,t,r){return this.constructor(n,r)}function gr(n,t,r){var s,i,a,o;t==document&&(t=document.documentElement),U.__&&U.__(n,t),i=(s=!1)?null:t.__k,a=[],o=[],Nt(t,n=t.__k=ur($,null,[n]),i||Ze,Ze,t.namespaceURI,i?null:t.firstChild?it.call(t.childNodes):null,a,i?i.__e:t.firstChild,s,o),Tn(a,n,o),n.props.children=null}function br(n){function t(r){var s,i;return this.getChildContext||(s=new Set,(i={})[t.__c]=this,this.getChildContext=function(){return i},this.componentWillUnmount=function(){s=null},this.shouldComponentUpdate=function(a){this.props.value!=a.value&&s.forEach(function(o){o.__e=!0,kt(o)})},this.sub=function(a){s.add(a);var o=a.componentWillUnmount;a.componentWillUnmount=function(){s&&s.delete(a),o&&o.call(a)}}),r.children}return t.__c="__cC"+$n++,t.__=n,t.Provider=t.__l=(t.Consumer=function(r,s){return r.children(s)}).contextType=t,t}it=et.slice,U={__e:function(n,t,r,s){for(var i,a,o;t=t.__;)if((i=t.__c)&&!i.__)try{if((a=i.constructor)&&a.getDerivedStateFromError!=null&&(i.setState(a.getDerivedStateFromError(n)),o=i.__d),i.componentDidCatch!=null&&(i.componentDidCatch(n,s||{}),o=i.__d),o)return i.__E=i}catch(c){n=c}throw n}},kn=0,Ke.prototype.setState=function(n,t){var r;r=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=fe({},this.state),typeof n=="function"&&(n=n(fe({},r),this.props)),n&&fe(r,n),n!=null&&this.__v&&(t&&this._sb.push(t),kt(this))},Ke.prototype.forceUpdate=function(n){this.__v&&(this.__e=!0,n&&this.__h.push(n),kt(this))},Ke.prototype.render=$,be=[],In=typeof Promise=="function"?Promise.prototype.then.bind(Promise.resolve()):setTimeout,Sn=function(n,t){return n.__v.__b-t.__v.__b},tt.__r=0,mt=Math.random().toString(8),ze="__d"+mt,Ue="__a"+mt,Cn=/(PointerCapture)$|Capture$/i,xt=0,wt=zt(!1),_t=zt(!0),$n=0;var vr=0;function e(n,t,r,s,i,a){t||(t={});var o,c,u=t;if("ref"in u)for(c in u={},t)c=="ref"?o=t[c]:u[c]=t[c];var l={type:n,props:u,key:r,ref:o,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:--vr,__i:-1,__u:0,__source:i,__self:a};if(typeof n=="function"&&(o=n.defaultProps))for(c in o)u[c]===void 0&&(u[c]=o[c]);return U.vnode&&U.vnode(l),l}const wr="synchronizer_csrf",_r="X-CSRF-Token",kr=new Set(["UNAUTHENTICATED","FORBIDDEN","BAD_USER_INPUT","NOT_FOUND","RATE_LIMITED","SETUP_DONE","CONFLICT","INTERNAL","GRAPHQL_PARSE_FAILED","GRAPHQL_VALIDATION_FAILED","QUERY_TOO_COMPLEX","UNAVAILABLE","CSRF","NETWORK","HTTP","BAD_RESPONSE"]),Ir={UNAUTHENTICATED:"Your session has ended or you are not signed in. Sign in again to continue.",FORBIDDEN:"Your account is not allowed to do this. Ask an administrator for access.",BAD_USER_INPUT:"Correct the value and try again.",NOT_FOUND:"It may have been removed in the meantime. Reload the page to see the current state.",RATE_LIMITED:"Too many attempts in a short time. Wait a few minutes, then try again.",SETUP_DONE:"Setup has already been completed. Sign in with the administrator account instead.",CONFLICT:"Someone else changed this at the same time. Reload the page and try again.",INTERNAL:"The server ran into a problem. Try again; if it keeps happening, look at the server log.",GRAPHQL_PARSE_FAILED:"The dashboard and the server do not match. Reload the page; if it persists, rebuild the dashboard.",GRAPHQL_VALIDATION_FAILED:"The dashboard and the server do not match. Reload the page; if it persists, rebuild the dashboard.",QUERY_TOO_COMPLEX:"The request was too large for the server. Reload the page and try a smaller page of results.",UNAVAILABLE:"This part of Synchronizer is not running on this server. Check the server log for why it did not start; it appears here once it runs.",CSRF:"The security token of this page is missing or out of date. Reload the page and try again.",NETWORK:"Check that Synchronizer is running and that this computer is online, then try again.",HTTP:"The server answered with an unexpected error. Try again; if it keeps happening, look at the server log.",BAD_RESPONSE:"The server sent an answer the dashboard cannot read. Reload the page; if it persists, look at the server log."};class Z extends Error{code;hint;field;status;all;constructor(t,r,s={}){super(r),this.name="ApiError",this.code=t,this.hint=Ir[t],this.field=s.field,this.status=s.status,this.all=s.all??[]}}function H(n){return n instanceof Z?n:n instanceof Error?new Z("INTERNAL",n.message):new Z("INTERNAL",String(n))}function Sr(n,t){for(const r of n.split(";")){const s=r.indexOf("=");if(!(s<0)&&r.slice(0,s).trim()===t){const i=r.slice(s+1).trim();try{return decodeURIComponent(i)}catch{return i}}}return""}function Cr(n,t){const r=n[0]??{},s=typeof r.extensions?.code=="string"?r.extensions.code:"";let i;kr.has(s)?i=s:t===403&&/csrf/i.test(r.message??"")?i="CSRF":s===""&&t!==void 0&&t>=500?i="INTERNAL":s===""&&t===403?i="FORBIDDEN":s===""&&t===401?i="UNAUTHENTICATED":i="INTERNAL",i==="FORBIDDEN"&&/csrf/i.test(r.message??"")&&(i="CSRF");const a=typeof r.extensions?.field=="string"?r.extensions.field:void 0,o=(r.message??"").trim()||$r(i,t);return new Z(i,o,{field:a,status:t,all:n})}function $r(n,t){switch(n){case"NETWORK":return"The server could not be reached.";case"HTTP":return`The server answered with HTTP ${t??"error"}.`;default:return`The request failed (${n}).`}}class Rr{endpoint;fetchFn;cookies;onUnauthenticated;constructor(t={}){this.endpoint=t.endpoint??"/graphql",this.fetchFn=t.fetch??((r,s)=>fetch(r,s)),this.cookies=t.cookies??(()=>typeof document>"u"?"":document.cookie),this.onUnauthenticated=t.onUnauthenticated}headers(){const t={"Content-Type":"application/json",Accept:"application/graphql-response+json, application/json;q=0.9"},r=Sr(this.cookies(),wr);return r&&(t[_r]=r),t}async request(t,r,s={}){let i;try{i=await this.fetchFn(this.endpoint,{method:"POST",credentials:"same-origin",headers:this.headers(),body:JSON.stringify({query:t,variables:r??{}}),signal:s.signal})}catch(u){throw u instanceof DOMException&&u.name==="AbortError"?u:new Z("NETWORK","The server could not be reached.")}const a=await i.text().catch(()=>"");let o;try{o=a?JSON.parse(a):void 0}catch{o=void 0}let c;if(o&&Array.isArray(o.errors)&&o.errors.length>0?c=Cr(o.errors,i.status):i.ok?(!o||typeof o!="object"||!("data"in o)||o.data==null)&&(c=new Z("BAD_RESPONSE","The server sent an answer without data.",{status:i.status})):c=Ar(i.status,a),c)throw c.code==="UNAUTHENTICATED"&&this.onUnauthenticated?.(c),c;return o.data}}function Ar(n,t){const r=t.replace(/<[^>]*>/g," ").replace(/\s+/g," ").trim().slice(0,200);return n===401?new Z("UNAUTHENTICATED",r||"You are not signed in.",{status:n}):n===403&&/csrf/i.test(t)?new Z("CSRF",r||"The CSRF token is missing or wrong.",{status:n}):n===403?new Z("FORBIDDEN",r||"Access denied.",{status:n}):n===413?new Z("BAD_USER_INPUT","The request is larger than the server accepts. Shorten the input and try again.",{status:n}):n===429?new Z("RATE_LIMITED",r||"Too many requests.",{status:n}):n>=500?new Z("INTERNAL",r||`The server answered with HTTP ${n}.`,{status:n}):new Z("HTTP",r||`The server answered with HTTP ${n}.`,{status:n})}const Er=`
  query Boot {
    systemStatus {
      state
      version
    }
    me {
      id
      email
      name
      role
      createdAt
    }
  }
`,xr=`
  query Version {
    version {
      version
      commit
    }
  }
`,Tr=`
  mutation Setup($input: SetupInput!) {
    setup(input: $input) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`,Nr=`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`,Pr=`
  mutation Logout {
    logout
  }
`,Lr=`
  mutation AcceptInvitation($token: String!, $name: String, $password: String!) {
    acceptInvitation(token: $token, name: $name, password: $password) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`,Or=`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`,Mr=`
  query Admins {
    admins {
      id
      email
      name
      role
      createdAt
    }
  }
`,Dr=`
  mutation AddAdmin($email: String!, $name: String!, $password: String!) {
    addAdmin(email: $email, name: $name, password: $password) {
      id
      email
      name
    }
  }
`,Ur=`
  mutation InviteAdmin($email: String!, $name: String!) {
    inviteAdmin(email: $email, name: $name) {
      email
      name
      link
      expiresAt
    }
  }
`,Fr=`
  mutation RemoveAdmin($id: ID!) {
    removeAdmin(id: $id)
  }
`,qr=`
  query ApiTokens {
    apiTokens {
      id
      name
      createdAt
      expiresAt
      lastUsedAt
    }
  }
`,Br=`
  mutation CreateApiToken($name: String!, $expiresInDays: Int) {
    createApiToken(name: $name, expiresInDays: $expiresInDays) {
      token {
        id
        name
        createdAt
        expiresAt
        lastUsedAt
      }
      secret
    }
  }
`,Wr=`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id)
  }
`,jr=`
  query AuditLog($first: Int, $after: String) {
    auditLog(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          time
          actor
          action
          target
          ip
          detail
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`,Yr=`
  query SyncProfiles {
    syncProfiles {
      id
      name
      crm {
        type
        instance
      }
      mailbox {
        type
        instance
      }
      directions {
        kind
        direction
      }
      daysBack
      daysAhead
      policy
      onDelete
      pollSeconds
      users {
        id
        profileId
        crm {
          email
          name
        }
        mailbox {
          email
          name
        }
        status {
          paused
          queued
          running
          nextRun
          lastRun
          lastOk
          lastError
          lastErrorAt
          failures
          breaker
          breakerReason
          breakerUntil
        }
      }
    }
    schedulerStatus {
      profiles {
        profileId
        paused
        queued
        running
        users
      }
    }
  }
`,Hr=`
  mutation SyncNow($profileId: ID!, $userId: ID) {
    syncNow(profileId: $profileId, userId: $userId)
  }
`,Vr=`
  mutation PauseSync($profileId: ID!, $userId: ID) {
    pauseSync(profileId: $profileId, userId: $userId)
  }
`,zr=`
  mutation ResumeSync($profileId: ID!, $userId: ID) {
    resumeSync(profileId: $profileId, userId: $userId)
  }
`,Gr=`
  query SyncConflicts($openOnly: Boolean) {
    syncConflicts(openOnly: $openOnly) {
      id
      profileId
      userId
      kind
      fields
      crm
      mailbox
      crmItemId
      mailboxItemId
      base
      decision
      policy
      at
      resolved
    }
  }
`,Kr=`
  mutation ResolveSyncConflict($id: ID!, $choice: Side!) {
    resolveSyncConflict(id: $id, choice: $choice) {
      id
      resolved
    }
  }
`,Qr=`
  query PendingApprovals {
    pendingApprovals {
      id
      profileId
      userId
      kind
      trigger
      start
      guard
      counts {
        listed
        created
        updated
        deleted
      }
      planned {
        side
        action
        linkId
        title
        reason
      }
    }
  }
`,Jr=`
  mutation ApproveSyncRun($id: ID!) {
    approveSyncRun(id: $id) {
      id
      status
    }
  }
`,Xr=`
  mutation RejectSyncRun($id: ID!) {
    rejectSyncRun(id: $id) {
      id
      status
    }
  }
`,Zr=`
  query Governor {
    schedulerStatus {
      at
      started
      stopping
      workers
      queueDepth
      running {
        profileId
        userId
        kind
        trigger
        started
      }
      systems {
        system
        state
        failures
        until
      }
      housekeeping {
        hour
        nextRun
        lastRun
      }
    }
    governorStatus {
      scope
      system
      kind
      key
      maxInFlight
      effectiveInFlight
      inFlight
      waiting
      requests
      perSeconds
      budgetLeft
      backingOffUntil
      throttled
      recentThrottles
      avgLatencyMs
      slowedDown
    }
  }
`,ei=`
  query UserRuns($profileId: ID!, $userId: ID!, $first: Int, $before: ID) {
    syncRuns(profileId: $profileId, userId: $userId, first: $first, before: $before) {
      id
      kind
      trigger
      start
      end
      status
      error
      guard
      undoOf
      undoneBy
      counts {
        listed
        created
        updated
        deleted
        unchanged
        conflicts
        quarantined
        skipped
        errors
      }
      operations {
        seq
        side
        action
        itemId
        at
      }
    }
  }
`,ti=`
  mutation UndoSyncRun($id: ID!) {
    undoSyncRun(id: $id) {
      id
      status
      counts {
        updated
        created
        deleted
      }
    }
  }
`,ni=`
  query SyncTrace($itemId: String!) {
    syncTrace(itemId: $itemId) {
      at
      runId
      profileId
      userId
      kind
      side
      linkId
      decision
      reason
    }
  }
`,ri=`
  query SyncQuarantine($profileId: ID) {
    syncQuarantine(profileId: $profileId) {
      profileId
      userId
      kind
      side
      itemId
      field
      reason
      at
    }
  }
`,ii=`
  mutation ReleaseQuarantine($input: ReleaseQuarantineInput!) {
    releaseQuarantine(input: $input)
  }
`,si=`
  subscription SyncStatusLive {
    syncStatus {
      event {
        type
        at
        profileId
        userId
        runId
        error
      }
    }
  }
`,ai=`
  mutation SaveSyncProfile($input: ProfileInput!) {
    saveSyncProfile(input: $input) {
      id
      name
    }
  }
`,oi=`
  mutation SetSystemSecrets($instance: String!, $secrets: [SystemSecretInput!]!) {
    setSystemSecrets(instance: $instance, secrets: $secrets)
  }
`,li=`
  mutation LinkUser($input: LinkUserInput!) {
    linkUser(input: $input) {
      id
    }
  }
`,ci=`
  mutation BeginSystemSignIn($profileId: ID!, $side: Side!, $userId: ID) {
    beginSystemSignIn(profileId: $profileId, side: $side, userId: $userId) {
      url
      expiresAt
    }
  }
`,di=`
  query SmtpSettings {
    smtpSettings {
      host
      port
      security
      username
      passwordSet
      from
      fromName
    }
  }
`,ui=`
  mutation SaveSmtpSettings($input: SmtpSettingsInput!) {
    saveSmtpSettings(input: $input) {
      host
      port
      security
      username
      passwordSet
      from
      fromName
    }
  }
`,hi=`
  mutation SendTestMail($to: String!) {
    sendTestMail(to: $to) {
      sent
      to
      message
    }
  }
`,mi=`
  mutation InviteMailboxUser($profileId: ID!, $userId: ID!) {
    inviteMailboxUser(profileId: $profileId, userId: $userId) {
      sent
      to
      message
      expiresAt
    }
  }
`,fi=`
  query MyLinks {
    myLinks {
      profileId
      profileName
      userId
      crm {
        id
        email
        name
      }
      mailbox {
        id
        email
        name
      }
      crmType
      mailboxType
      mailboxSignIn
      mailboxAuthorized
      status {
        profileId
        userId
        paused
        nextRun
        queued
        running
        lastRun
        lastOk
        lastError
        lastErrorAt
        failures
        breaker
        breakerReason
        breakerUntil
        pushHealthy
      }
      overrides {
        directions {
          kind
          direction
        }
        filters {
          skipPrivate
          skipAllDay
          skipFree
          skipRecurring
        }
        daysBack
        daysAhead
      }
      defaults {
        directions {
          kind
          direction
        }
        filters {
          skipPrivate
          skipAllDay
          skipFree
          skipRecurring
        }
        daysBack
        daysAhead
      }
      userMay {
        directions
        filters
        window
      }
      recentRuns {
        id
        kind
        trigger
        start
        end
        status
        error
        counts {
          created
          updated
          deleted
          conflicts
          quarantined
          errors
        }
      }
      quarantine {
        kind
        side
        itemId
        field
        reason
        at
      }
      openConflicts
    }
  }
`,pi=`
  query SignInProviders {
    signInProviders {
      id
      name
      type
      startUrl
    }
  }
`,yi=`
  mutation AcceptPortalInvitation($token: String!) {
    acceptPortalInvitation(token: $token) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`,gi=`
  mutation CreatePortalInvitation($profileId: ID!, $userId: ID!) {
    createPortalInvitation(profileId: $profileId, userId: $userId) {
      link
      email
      expiresAt
    }
  }
`,bi=`
  mutation BeginMyMailboxSignIn($profileId: ID!) {
    beginMyMailboxSignIn(profileId: $profileId) {
      url
      expiresAt
    }
  }
`,vi=`
  mutation SetMyPreferences($profileId: ID!, $overrides: UserOverridesInput!) {
    setMyPreferences(profileId: $profileId, overrides: $overrides) {
      profileId
      userId
    }
  }
`,wi=`
  mutation SyncMyMailboxNow($profileId: ID!) {
    syncMyMailboxNow(profileId: $profileId)
  }
`;class _i{constructor(t){this.client=t}client;boot(){return this.client.request(Er)}version(){return this.client.request(xr)}setup(t){return this.client.request(Tr,t)}login(t){return this.client.request(Nr,t)}logout(){return this.client.request(Pr)}acceptInvitation(t){return this.client.request(Lr,t)}changePassword(t){return this.client.request(Or,t)}admins(){return this.client.request(Mr)}addAdmin(t){return this.client.request(Dr,t)}inviteAdmin(t){return this.client.request(Ur,t)}removeAdmin(t){return this.client.request(Fr,t)}apiTokens(){return this.client.request(qr)}createApiToken(t){return this.client.request(Br,t)}revokeApiToken(t){return this.client.request(Wr,t)}auditLog(t){return this.client.request(jr,t)}syncProfiles(){return this.client.request(Yr)}syncNow(t){return this.client.request(Hr,t)}pauseSync(t){return this.client.request(Vr,t)}resumeSync(t){return this.client.request(zr,t)}syncConflicts(t){return this.client.request(Gr,t)}resolveConflict(t){return this.client.request(Kr,t)}pendingApprovals(){return this.client.request(Qr)}approveRun(t){return this.client.request(Jr,t)}rejectRun(t){return this.client.request(Xr,t)}governor(){return this.client.request(Zr)}userRuns(t){return this.client.request(ei,t)}undoRun(t){return this.client.request(ti,t)}trace(t){return this.client.request(ni,t)}quarantine(t){return this.client.request(ri,t)}saveProfile(t){return this.client.request(ai,t)}setSystemSecrets(t){return this.client.request(oi,t)}beginSignIn(t){return this.client.request(ci,t)}linkUser(t){return this.client.request(li,t)}releaseQuarantine(t){return this.client.request(ii,t)}smtpSettings(){return this.client.request(di)}saveSmtpSettings(t){return this.client.request(ui,t)}sendTestMail(t){return this.client.request(hi,t)}inviteMailboxUser(t){return this.client.request(mi,t)}myLinks(){return this.client.request(fi)}signInProviders(){return this.client.request(pi)}acceptPortalInvitation(t){return this.client.request(yi,t)}createPortalInvitation(t){return this.client.request(gi,t)}beginMyMailboxSignIn(t){return this.client.request(bi,t)}setMyPreferences(t){return this.client.request(vi,t)}syncMyMailboxNow(t){return this.client.request(wi,t)}}var _e,W,ft,Gt,qe=0,Ln=[],z=U,Kt=z.__b,Qt=z.__r,Jt=z.diffed,Xt=z.__c,Zt=z.unmount,en=z.__;function Be(n,t){z.__h&&z.__h(W,n,qe||t),qe=0;var r=W.__H||(W.__H={__:[],__h:[]});return n>=r.__.length&&r.__.push({}),r.__[n]}function g(n){return qe=1,ki(Mn,n)}function ki(n,t,r){var s=Be(_e++,2);if(s.t=n,!s.__c&&(s.__=[Mn(void 0,t),function(c){var u=s.__N?s.__N[0]:s.__[0],l=s.t(u,c);u!==l&&(s.__N=[l,s.__[1]],s.__c.setState({}))}],s.__c=W,!W.__f)){var i=function(c,u,l){if(!s.__c.__H)return!0;var h=!1,b=s.__c.props!==c;if(s.__c.__H.__.some(function(f){if(f.__N){h=!0;var p=f.__[0];f.__=f.__N,f.__N=void 0,p!==f.__[0]&&(b=!0)}}),a){var d=a.call(this,c,u,l);return h?d||b:d}return!h||b};W.__f=!0;var a=W.shouldComponentUpdate,o=W.componentWillUpdate;W.componentWillUpdate=function(c,u,l){if(this.__e){var h=a;a=void 0,i(c,u,l),a=h}o&&o.call(this,c,u,l)},W.shouldComponentUpdate=i}return s.__N||s.__}function ne(n,t){var r=Be(_e++,3);!z.__s&&On(r.__H,t)&&(r.__=n,r.u=t,W.__H.__h.push(r))}function re(n){return qe=5,at(function(){return{current:n}},[])}function at(n,t){var r=Be(_e++,7);return On(r.__H,t)&&(r.__=n(),r.__H=t,r.__h=n),r.__}function Ii(n,t){return qe=8,at(function(){return n},t)}function Si(n){var t=W.context[n.__c],r=Be(_e++,9);return r.c=n,t?(r.__==null&&(r.__=!0,t.sub(W)),t.props.value):n.__}function ke(){var n=Be(_e++,11);if(!n.__){for(var t=W.__v;t!==null&&!t.__m&&t.__!==null;)t=t.__;var r=t.__m||(t.__m=[0,0]);n.__="P"+r[0]+"-"+r[1]++}return n.__}function Ci(){for(var n;n=Ln.shift();){var t=n.__H;if(n.__P&&t)try{t.__h.some(Qe),t.__h.some(It),t.__h=[]}catch(r){t.__h=[],z.__e(r,n.__v)}}}z.__b=function(n){W=null,Kt&&Kt(n)},z.__=function(n,t){n&&t.__k&&t.__k.__m&&(n.__m=t.__k.__m),en&&en(n,t)},z.__r=function(n){Qt&&Qt(n),_e=0;var t=(W=n.__c).__H;t&&(ft===W?(t.__h=[],W.__h=[],t.__.some(function(r){r.__N&&(r.__=r.__N),r.u=r.__N=void 0})):(t.__h.some(Qe),t.__h.some(It),t.__h=[],_e=0)),ft=W},z.diffed=function(n){Jt&&Jt(n);var t=n.__c;t&&t.__H&&(t.__H.__h.length&&(Ln.push(t)!==1&&Gt===z.requestAnimationFrame||((Gt=z.requestAnimationFrame)||$i)(Ci)),t.__H.__.some(function(r){r.u&&(r.__H=r.u,r.u=void 0)})),ft=W=null},z.__c=function(n,t){t.some(function(r){try{r.__h.some(Qe),r.__h=r.__h.filter(function(s){return!s.__||It(s)})}catch(s){t.some(function(i){i.__h&&(i.__h=[])}),t=[],z.__e(s,r.__v)}}),Xt&&Xt(n,t)},z.unmount=function(n){Zt&&Zt(n);var t,r=n.__c;r&&r.__H&&(r.__H.__.some(function(s){try{Qe(s)}catch(i){t=i}}),r.__H=void 0,t&&z.__e(t,r.__v))};var tn=typeof requestAnimationFrame=="function";function $i(n){var t,r=function(){clearTimeout(s),tn&&cancelAnimationFrame(t),setTimeout(n)},s=setTimeout(r,35);tn&&(t=requestAnimationFrame(r))}function Qe(n){var t=W,r=n.__c;typeof r=="function"&&(n.__c=void 0,r()),W=t}function It(n){var t=W;n.__c=n.__(),W=t}function On(n,t){return!n||n.length!==t.length||t.some(function(r,s){return r!==n[s]})}function Mn(n,t){return typeof t=="function"?t(n):t}const xe=12;function ot(n){if(n.length===0)return"Enter a password.";const t=[...n].length;if(t<xe){const r=xe-t;return`Use at least ${xe} characters (${r} more needed).`}return""}function lt(n){const t=n.trim();return t===""?"Enter an e-mail address.":/^[^\s@]+@[^\s@]+$/.test(t)?"":"Enter an e-mail address like name@example.com."}function M(n,t){if(!n)return"—";const r=new Date(n);return Number.isNaN(r.getTime())?n:new Intl.DateTimeFormat(t,{dateStyle:"medium",timeStyle:"short"}).format(r)}function Dn(n){if(!n)return"";const t=n.split(".");return t[t.length-1]}function Ri(n,t){return/^https?:\/\//i.test(n)?n:t.replace(/\/$/,"")+(n.startsWith("/")?n:"/"+n)}function Ai(n){return{setup:"Setup completed","setup.failed":"Setup attempt refused","login.ok":"Signed in","login.failed":"Sign-in failed",logout:"Signed out","token.created":"API token created","token.revoked":"API token revoked","admin.added":"Admin added","admin.invited":"Admin invited","admin.removed":"Admin removed","invitation.accepted":"Invitation accepted","user.added":"User added","password.changed":"Password changed","password.change_failed":"Password change refused","mail.smtp_saved":"E-mail settings saved","mail.test_sent":"Test mail sent","mail.test_failed":"Test mail not sent","mail.invitation_sent":"Sign-in invitation e-mailed","mail.invitation_failed":"Sign-in invitation not sent"}[n]??n}function K(n){const t=n.trim();if(!t)return t;const r=t.charAt(0).toUpperCase()+t.slice(1);return/[.!?…]$/.test(r)?r:r+"."}const Ei={currentPassword:"the current password",newPassword:"the new password",password:"the password",email:"the e-mail address",name:"the name",token:"the token",expiresInDays:"the number of days",host:"the SMTP server",port:"the port",security:"the security",username:"the user name",from:"the sender address",fromName:"the sender name",to:"the address"};function xi(n,t){const r=Dn(t);let s=n.trim();const i=Ei[r];if(r&&i){const a=new RegExp(`^(?:input\\.)?${r}\\b:?\\s*`);if(a.test(s)){const o=s.replace(a,"");s=/^(is|are|must|should|cannot|can't|has|was)\b/i.test(o)?`${i} ${o}`:o}}return K(s)}const St="synchronizer:navigate";function nn(){return{pathname:window.location.pathname,search:window.location.search}}function me(n,t={}){const r=window.location.pathname+window.location.search;n!==r&&(t.replace?window.history.replaceState(null,"",n):window.history.pushState(null,"",n),window.dispatchEvent(new Event(St)))}function Ti(){const[n,t]=g(nn);return ne(()=>{const r=()=>t(nn());return window.addEventListener("popstate",r),window.addEventListener(St,r),()=>{window.removeEventListener("popstate",r),window.removeEventListener(St,r)}},[]),n}function O(n){const{href:t,onClick:r,...s}=n;return e("a",{...s,href:t,onClick:i=>{r&&r(i),!(i.defaultPrevented||i.button!==0||i.metaKey||i.ctrlKey||i.shiftKey||i.altKey)&&(i.preventDefault(),me(t))}})}function Lt(){return e("span",{class:"spinner","aria-hidden":"true"})}function I(n){const{busy:t,busyLabel:r,variant:s="secondary",type:i="button",disabled:a,children:o,class:c,...u}=n;return e("button",{...u,type:i,class:`btn btn-${s}${c?" "+c:""}`,disabled:a||t,"aria-busy":t?"true":void 0,children:[t&&e(Lt,{}),e("span",{children:t&&r?r:o})]})}function R(n){const t=ke(),r=n.hint?`${t}-hint`:void 0,s=n.error?`${t}-err`:void 0,i=[s,r].filter(Boolean).join(" ")||void 0;return e("div",{class:`field${n.error?" field-invalid":""}`,children:[e("label",{for:t,children:[n.label,n.required&&e("span",{class:"req",children:" (required)"})]}),n.hint&&e("p",{id:r,class:"hint",children:n.hint}),e("input",{id:t,ref:n.inputRef,name:n.name,type:n.type??"text",value:n.value,onInput:a=>n.onInput(a.currentTarget.value),autoComplete:n.autoComplete,required:n.required,"aria-required":n.required?"true":void 0,"aria-invalid":n.error?"true":void 0,"aria-describedby":i,inputMode:n.inputMode,min:n.min,max:n.max,disabled:n.disabled,spellcheck:!1}),n.error&&e("p",{id:s,class:"field-error",children:n.error})]})}function L(n){const t=n.error;if(!t)return null;const r=n.hints?.[t.code]??t.hint;return e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:n.title??"That did not work"}),e("p",{children:K(t.message)}),e("p",{class:"alert-hint",children:r}),n.onRetry&&e(I,{variant:"secondary",onClick:n.onRetry,children:"Try again"})]})}function F(n){return e("div",{class:`alert alert-${n.kind??"info"}`,role:"status",children:n.children})}function V(n){return e("p",{class:"loading",role:"status",children:[e(Lt,{})," ",n.label]})}let rn=!0;function j(n){const t=re(null);return ne(()=>{document.title=`${n.title} · Synchronizer`,rn?rn=!1:t.current?.focus({preventScroll:!1})},[n.title]),e("header",{class:"page-header",children:[e("div",{children:[e("h1",{ref:t,tabIndex:-1,children:n.title}),n.intro&&e("p",{class:"intro",children:n.intro})]}),n.actions&&e("div",{class:"page-actions",children:n.actions})]})}function Te(n){const t=re(null),[r,s]=g(!1),[i,a]=g(null),o=ke();ne(()=>{const u=t.current;u&&(n.open&&!u.open?(a(null),u.showModal()):!n.open&&u.open&&u.close())},[n.open]);const c=async()=>{s(!0),a(null);try{await n.onConfirm(),n.onClose()}catch(u){a(H(u))}finally{s(!1)}};return e("dialog",{ref:t,class:"dialog","aria-labelledby":o,onCancel:u=>{r?u.preventDefault():n.onClose()},children:[e("h2",{id:o,children:n.title}),e("div",{class:"dialog-body",children:n.children}),e(L,{error:i}),e("div",{class:"dialog-actions",children:[e(I,{variant:"secondary",onClick:n.onClose,disabled:r,children:"Cancel"}),e(I,{variant:"danger",onClick:c,busy:r,busyLabel:n.busyLabel,children:n.confirmLabel})]})]})}function Ot(n){const[t,r]=g("idle"),s=Ii(async()=>{try{await navigator.clipboard.writeText(n.text),r("copied")}catch{r("failed")}},[n.text]);return e("span",{class:"copy",children:[e(I,{variant:"secondary",onClick:s,children:n.label??"Copy"}),e("span",{class:"copy-status",role:"status",children:t==="copied"?"Copied to the clipboard.":t==="failed"?"Could not copy: select the text and copy it by hand.":""})]})}function de(n){return e("section",{class:"empty","aria-label":n.title,children:[e("h2",{children:n.title}),n.children]})}function ue(n,t){const r=H(n),s=Dn(r.field);return r.code==="BAD_USER_INPUT"&&s&&t.includes(s)?{fields:{[s]:xi(r.message,r.field)},general:null}:{fields:{},general:r}}function se(n){setTimeout(()=>n?.querySelector('[aria-invalid="true"]')?.focus(),0)}function Q(n,t=[]){const[r,s]=g(null),[i,a]=g(null),[o,c]=g(!0),[u,l]=g(0);return ne(()=>{let h=!0;return c(!0),a(null),n().then(b=>{h&&(s(b),c(!1))},b=>{h&&(a(H(b)),c(!1))}),()=>{h=!1}},[u,...t]),{data:r,error:i,loading:o,reload:()=>l(h=>h+1),setData:s}}const Un=br(null);function P(){const n=Si(Un);if(!n)throw new Error("useApp outside AppContext");return n}const Ct=[{path:"/",label:"Overview",adminOnly:!1,group:"sync"},{path:"/portal",label:"Your sync",adminOnly:!1,group:"sync",userOnly:!0},{path:"/profiles",label:"Profiles",adminOnly:!0,group:"sync"},{path:"/users",label:"Users",adminOnly:!0,group:"sync"},{path:"/conflicts",label:"Conflicts",adminOnly:!0,group:"sync"},{path:"/approvals",label:"Approvals",adminOnly:!0,group:"sync"},{path:"/governor",label:"Governor",adminOnly:!0,group:"sync"},{path:"/checks",label:"Checks",adminOnly:!0,group:"sync"},{path:"/audit",label:"Audit log",adminOnly:!0,group:"system"},{path:"/settings",label:"Settings",adminOnly:!0,group:"system"},{path:"/admins",label:"Admins & tokens",adminOnly:!0,group:"system"},{path:"/account",label:"Your account",adminOnly:!1,group:"system"}],Ni=new Set(["/login","/setup","/invite"]),$t=new Set(["/portal","/account"]);function Fn(n){const t=/^\/invite\/([^/]+)$/.exec(ve(n));if(!t)return"";try{return decodeURIComponent(t[1])}catch{return""}}function ve(n){let t=("/"+n).replace(/\/{2,}/g,"/");return t.length>1&&t.endsWith("/")&&(t=t.slice(0,-1)),t}function Rt(n){if(!n||!n.startsWith("/")||n.startsWith("//")||n.startsWith("/\\"))return"/";const t=ve(n.split(/[?#]/)[0]);return Ni.has(t)?"/":n}function Pi(n,t,r,s){const i=ve(r),a=new URLSearchParams(s);if(n==="SETUP"){if(i==="/setup")return{redirect:null};const o=a.get("token");return{redirect:o?`/setup?token=${encodeURIComponent(o)}`:"/setup"}}if(Fn(i))return{redirect:null};if(!t)return i==="/login"||i==="/invite"?{redirect:null}:i==="/setup"||i==="/"?{redirect:"/login"}:{redirect:`/login?next=${encodeURIComponent(i+s)}`};if(!te(t)){if($t.has(i))return{redirect:null};const o=i==="/login"?Rt(a.get("next")):"/portal";return{redirect:$t.has(ve(o.split(/[?#]/)[0]))?o:"/portal"}}return i==="/login"||i==="/setup"?{redirect:Rt(a.get("next"))}:{redirect:null}}function Li(n){const t=ve(n);return Ct.find(r=>r.path===t)}function te(n){return!!n&&String(n.role).toUpperCase()==="ADMIN"}function Oi(n){return te(n)?Ct.filter(t=>!t.userOnly):Ct.filter(t=>$t.has(t.path))}function qn(n,t){return`/users/${encodeURIComponent(n)}/${encodeURIComponent(t)}`}function Mi(n){const t=/^\/users\/([^/]+)\/([^/]+)$/.exec(n);if(!t)return null;try{return{profileId:decodeURIComponent(t[1]),userId:decodeURIComponent(t[2])}}catch{return null}}function Di(){return e($,{children:[e(j,{title:"Admins & tokens",intro:"Administrators manage this installation. API tokens let scripts use the GraphQL API without a password."}),e(Ui,{}),e(Bn,{})]})}function Ui(){const{api:n,viewer:t}=P(),r=Q(()=>n.admins()),[s,i]=g("none"),[a,o]=g(null),[c,u]=g("");return e("section",{class:"card","aria-labelledby":"admins-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"admins-h",children:"Administrators"}),e("div",{class:"card-actions",children:[e(I,{variant:"primary",onClick:()=>i(s==="invite"?"none":"invite"),"aria-expanded":s==="invite"?"true":"false",children:"Invite admin"}),e(I,{onClick:()=>i(s==="add"?"none":"add"),"aria-expanded":s==="add"?"true":"false",children:"Add with password"})]})]}),c&&e(F,{kind:"success",children:c}),s==="invite"&&e(Fi,{onDone:()=>r.reload(),onCancel:()=>i("none")}),s==="add"&&e(qi,{onCancel:()=>i("none"),onDone:l=>{i("none"),u(`${l} can now sign in as an administrator. Give them their password through a safe channel.`),r.reload()}}),r.loading&&!r.data&&e(V,{label:"Loading administrators…"}),e(L,{error:r.error,title:"Could not load the administrators",onRetry:r.reload}),r.data&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Administrators",children:[e("table",{children:[e("caption",{class:"sr-only",children:"Administrators"}),e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Name"}),e("th",{scope:"col",children:"E-mail"}),e("th",{scope:"col",children:"Added"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:r.data.admins.map(l=>e("tr",{children:[e("td",{children:[l.name,l.id===t?.id&&e("span",{class:"badge badge-muted",children:"you"})]}),e("td",{children:l.email}),e("td",{children:M(l.createdAt)}),e("td",{class:"actions",children:e(I,{variant:"ghost",class:"danger-text",onClick:()=>o(l),disabled:r.data.admins.length<2,title:r.data.admins.length<2?"The last administrator cannot be removed.":void 0,"aria-label":`Remove ${l.name||l.email}`,children:"Remove"})})]},l.id))})]}),r.data.admins.length<2&&e("p",{class:"muted",children:"The last administrator cannot be removed. Invite another one first."})]}),e(Te,{open:a!==null,title:`Remove ${a?.name||a?.email||"administrator"}?`,confirmLabel:"Remove administrator",busyLabel:"Removing…",onClose:()=>o(null),onConfirm:async()=>{a&&(await n.removeAdmin({id:a.id}),u(`${a.email} was removed. Their sessions and API tokens no longer work.`),r.setData(l=>l&&{admins:l.admins.filter(h=>h.id!==a.id)}),r.reload())},children:e("p",{children:[a?.email," will be signed out everywhere and their API tokens stop working.",a?.id===t?.id&&" This is your own account: you will be signed out."]})})]})}function Fi(n){const{api:t}=P(),[r,s]=g(""),[i,a]=g(""),[o,c]=g({}),[u,l]=g(null),[h,b]=g(!1),[d,f]=g(null);if(d){const y=Ri(d.link,window.location.origin);return e("div",{class:"subpanel",role:"region","aria-label":"Invitation link",children:[e(F,{kind:"success",children:["Invitation created for ",d.name," (",d.email,"). Send them this link; it works once and expires"," ",M(d.expiresAt),"."]}),e("div",{class:"secret-row",children:[e("code",{class:"secret",id:"invite-link",children:y}),e(Ot,{text:y,label:"Copy link"})]}),e("p",{class:"muted",children:"Synchronizer does not send e-mail yet: pass the link on yourself, through a channel you trust."}),e(I,{onClick:n.onCancel,children:"Done"})]})}return e("form",{class:"subpanel",onSubmit:async y=>{y.preventDefault();const v={},_=lt(r);if(_&&(v.email=_),i.trim()||(v.name="Enter their name."),c(v),l(null),!Object.keys(v).length){b(!0);try{const k=await t.inviteAdmin({email:r.trim(),name:i.trim()});f(k.inviteAdmin),n.onDone()}catch(k){const S=ue(k,["email","name"]);c(S.fields),l(S.general)}finally{b(!1)}}},noValidate:!0,"aria-label":"Invite an administrator",children:[e("h3",{children:"Invite an administrator"}),e("p",{class:"muted",children:"You get a one-time link, valid for 7 days, with which they choose their own password."}),e(L,{error:u,title:"Could not create the invitation"}),e("div",{class:"form-row",children:[e(R,{label:"Name",name:"name",value:i,onInput:a,required:!0,autoComplete:"off",error:o.name}),e(R,{label:"E-mail address",name:"email",type:"email",inputMode:"email",value:r,onInput:s,required:!0,autoComplete:"off",error:o.email})]}),e("div",{class:"form-actions",children:[e(I,{type:"submit",variant:"primary",busy:h,busyLabel:"Creating link…",children:"Create invitation link"}),e(I,{onClick:n.onCancel,disabled:h,children:"Cancel"})]})]})}function qi(n){const{api:t}=P(),[r,s]=g(""),[i,a]=g(""),[o,c]=g(""),[u,l]=g({}),[h,b]=g(null),[d,f]=g(!1);return e("form",{class:"subpanel",onSubmit:async y=>{y.preventDefault();const v={},_=lt(r);_&&(v.email=_),i.trim()||(v.name="Enter their name.");const k=ot(o);if(k&&(v.password=k),l(v),b(null),!Object.keys(v).length){f(!0);try{await t.addAdmin({email:r.trim(),name:i.trim(),password:o}),n.onDone(r.trim())}catch(S){const A=ue(S,["email","name","password"]);l(A.fields),b(A.general),f(!1)}}},noValidate:!0,"aria-label":"Add an administrator",children:[e("h3",{children:"Add an administrator with a password"}),e("p",{class:"muted",children:"Use this when you cannot send a link. Ask them to change the password after their first sign-in."}),e(L,{error:h,title:"Could not add the administrator"}),e("div",{class:"form-row",children:[e(R,{label:"Name",name:"name",value:i,onInput:a,required:!0,autoComplete:"off",error:u.name}),e(R,{label:"E-mail address",name:"email",type:"email",inputMode:"email",value:r,onInput:s,required:!0,autoComplete:"off",error:u.email})]}),e(R,{label:"Initial password",name:"password",type:"password",value:o,onInput:c,required:!0,autoComplete:"new-password",error:u.password,hint:"At least 12 characters."}),e("div",{class:"form-actions",children:[e(I,{type:"submit",variant:"primary",busy:d,busyLabel:"Adding…",children:"Add administrator"}),e(I,{onClick:n.onCancel,disabled:d,children:"Cancel"})]})]})}function Bn(){const{api:n}=P(),t=Q(()=>n.apiTokens()),[r,s]=g(!1),[i,a]=g(null),[o,c]=g(null),[u,l]=g("");return e("section",{class:"card","aria-labelledby":"tokens-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"tokens-h",children:"Your API tokens"}),e("div",{class:"card-actions",children:e(I,{variant:"primary",onClick:()=>{s(!r),a(null)},"aria-expanded":r?"true":"false",children:"Create token"})})]}),e("p",{class:"muted",children:["Scripts send a token as ",e("code",{children:"Authorization: Bearer <token>"}),". A token acts as you, with your role."]}),u&&e(F,{kind:"success",children:u}),i&&e("div",{class:"subpanel secret-panel",role:"region","aria-labelledby":"secret-h",children:[e("h3",{id:"secret-h",children:["Token “",i.token.name,"” created"]}),e("div",{class:"alert alert-warning",role:"alert",children:[e("p",{class:"alert-title",children:"Copy it now: it is shown only this once."}),e("p",{children:"Synchronizer stores only a hash of it. If you lose it, revoke it and create a new one."})]}),e("div",{class:"secret-row",children:[e("code",{class:"secret",id:"token-secret",children:i.secret}),e(Ot,{text:i.secret,label:"Copy token"})]}),e(I,{onClick:()=>a(null),children:"I have stored it"})]}),r&&e(Bi,{onCancel:()=>s(!1),onCreated:h=>{s(!1),a(h),l(""),t.reload()}}),t.loading&&!t.data&&e(V,{label:"Loading API tokens…"}),e(L,{error:t.error,title:"Could not load the API tokens",onRetry:t.reload}),t.data&&t.data.apiTokens.length===0&&e("p",{children:"You have no API tokens."}),t.data&&t.data.apiTokens.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Your API tokens",children:e("table",{children:[e("caption",{class:"sr-only",children:"Your API tokens"}),e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Name"}),e("th",{scope:"col",children:"Created"}),e("th",{scope:"col",children:"Expires"}),e("th",{scope:"col",children:"Last used"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:t.data.apiTokens.map(h=>e("tr",{children:[e("td",{children:h.name}),e("td",{children:M(h.createdAt)}),e("td",{children:h.expiresAt?M(h.expiresAt):"Never"}),e("td",{children:h.lastUsedAt?M(h.lastUsedAt):"Not yet"}),e("td",{class:"actions",children:e(I,{variant:"ghost",class:"danger-text",onClick:()=>c(h),"aria-label":`Revoke token ${h.name}`,children:"Revoke"})})]},h.id))})]})}),e(Te,{open:o!==null,title:`Revoke token “${o?.name??""}”?`,confirmLabel:"Revoke token",busyLabel:"Revoking…",onClose:()=>c(null),onConfirm:async()=>{o&&(await n.revokeApiToken({id:o.id}),t.setData(h=>h&&{apiTokens:h.apiTokens.filter(b=>b.id!==o.id)}),l(`Token “${o.name}” was revoked. Scripts using it are refused from now on.`),i?.token.id===o.id&&a(null),t.reload())},children:e("p",{children:"Scripts that use this token will be refused at once. This cannot be undone."})})]})}function Bi(n){const{api:t}=P(),[r,s]=g(""),[i,a]=g("90"),[o,c]=g({}),[u,l]=g(null),[h,b]=g(!1),d=re(null);return e("form",{class:"subpanel",onSubmit:async p=>{p.preventDefault();const y={};r.trim()||(y.name="Give the token a name that says where it is used, for example “backup script”.");const v=i.trim()===""?0:Number(i);if((!Number.isInteger(v)||v<0||v>3650)&&(y.expiresInDays="Enter a whole number of days from 0 to 3650 (0 means never)."),c(y),l(null),!Object.keys(y).length){b(!0);try{const _=await t.createApiToken({name:r.trim(),expiresInDays:v===0?null:v});n.onCreated(_.createApiToken)}catch(_){const k=ue(_,["name","expiresInDays"]);c(k.fields),l(k.general),b(!1)}}},noValidate:!0,"aria-label":"Create an API token",children:[e("h3",{children:"Create an API token"}),e(L,{error:u,title:"Could not create the token"}),e("div",{class:"form-row",children:[e(R,{label:"Name",name:"name",value:r,onInput:s,required:!0,autoComplete:"off",error:o.name,inputRef:d,hint:"Where the token is used."}),e(R,{label:"Expires after (days)",name:"expiresInDays",type:"number",inputMode:"numeric",min:0,max:3650,value:i,onInput:a,error:o.expiresInDays,hint:"0 means the token never expires."})]}),e("div",{class:"form-actions",children:[e(I,{type:"submit",variant:"primary",busy:h,busyLabel:"Creating token…",children:"Create token"}),e(I,{onClick:n.onCancel,disabled:h,children:"Cancel"})]})]})}function Wi(){const{viewer:n}=P();return e($,{children:[e(j,{title:"Your account"}),e("section",{class:"card","aria-labelledby":"acct-h",children:[e("h2",{id:"acct-h",children:"Account"}),e("dl",{class:"facts",children:[e("dt",{children:"Name"}),e("dd",{children:n?.name||"—"}),e("dt",{children:"E-mail"}),e("dd",{children:n?.email}),e("dt",{children:"Role"}),e("dd",{children:te(n)?"Administrator":"User"}),e("dt",{children:"Since"}),e("dd",{children:M(n?.createdAt)})]})]}),e(ji,{}),!te(n)&&e(Bn,{})]})}function ji(){const{api:n,viewer:t}=P(),r=!te(t),[s,i]=g(""),[a,o]=g(""),[c,u]=g(""),[l,h]=g({}),[b,d]=g(null),[f,p]=g(!1),[y,v]=g(!1),_=re(null);return e("section",{class:"card","aria-labelledby":"pw-h",children:[e("h2",{id:"pw-h",children:"Change password"}),e("p",{class:"muted",children:"Your other sessions are signed out when the password changes."}),y&&e(F,{kind:"success",children:"Your password has been changed."}),e("form",{ref:_,onSubmit:async S=>{S.preventDefault();const A={};!s&&!r&&(A.currentPassword="Enter your current password.");const E=ot(a);if(E?A.newPassword=E:a===s?A.newPassword="Choose a password different from the current one.":c!==a&&(A.confirm="The two new passwords differ. Type the same password twice."),h(A),d(null),v(!1),Object.keys(A).length){se(_.current);return}p(!0);try{await n.changePassword({currentPassword:s,newPassword:a}),v(!0),i(""),o(""),u("")}catch(q){const G=ue(q,["currentPassword","newPassword"]);h(G.fields),d(G.general),se(_.current)}finally{p(!1)}},noValidate:!0,class:"narrow",children:[e(L,{error:b,title:"The password was not changed"}),e(R,{label:"Current password",name:"currentPassword",type:"password",value:s,onInput:i,required:!r,autoComplete:"current-password",error:l.currentPassword,hint:r?"Leave it empty if you signed in from an invitation or with SuperOffice and have not set a password yet.":void 0}),e(R,{label:"New password",name:"newPassword",type:"password",value:a,onInput:o,required:!0,autoComplete:"new-password",error:l.newPassword,hint:"At least 12 characters."}),e(R,{label:"Repeat the new password",name:"confirm",type:"password",value:c,onInput:u,required:!0,autoComplete:"new-password",error:l.confirm}),e(I,{type:"submit",variant:"primary",busy:f,busyLabel:"Changing password…",children:"Change password"})]})]})}function Yi(){const{api:n,viewer:t}=P(),r=Q(()=>n.version()),s=te(t);return e($,{children:[e(j,{title:"Overview",intro:`Welcome${t?.name?", "+t.name:""}. This is where Synchronizer will show how your systems are doing.`}),e("section",{class:"card","aria-labelledby":"ov-system",children:[e("h2",{id:"ov-system",children:"This installation"}),r.loading&&e(V,{label:"Loading version…"}),e(L,{error:r.error,title:"Could not load the version",onRetry:r.reload}),r.data&&e("dl",{class:"facts",children:[e("dt",{children:"Version"}),e("dd",{children:r.data.version.version}),e("dt",{children:"Commit"}),e("dd",{children:e("code",{children:r.data.version.commit||"unknown"})}),e("dt",{children:"Signed in as"}),e("dd",{children:[t?.email," (",s?"administrator":"user",")"]})]})]}),s?e("section",{class:"card","aria-labelledby":"ov-next",children:[e("h2",{id:"ov-next",children:"What you can do today"}),e("ul",{class:"checklist",children:[e("li",{children:[e(O,{href:"/admins",children:"Invite the other administrators"})," and create API tokens for scripts."]}),e("li",{children:["Review sign-ins and changes in the ",e(O,{href:"/audit",children:"audit log"}),"."]}),e("li",{children:["Change your password in ",e(O,{href:"/account",children:"your account"}),"."]})]}),e("p",{class:"muted",children:[e(O,{href:"/profiles",children:"Profiles"}),", ",e(O,{href:"/users",children:"users"}),", ",e(O,{href:"/conflicts",children:"conflicts"}),","," ",e(O,{href:"/approvals",children:"approvals"})," and the ",e(O,{href:"/governor",children:"governor"})," show the sync engine's real state. Profiles and users are created over the GraphQL API until the profile editor arrives; areas without an API yet say so instead of showing made-up data."]})]}):e("section",{class:"card","aria-labelledby":"ov-user",children:[e("h2",{id:"ov-user",children:"Your portal"}),e("p",{children:["Your own sync status and preferences arrive with the sync engine. You can already change your password and manage your API tokens in ",e(O,{href:"/account",children:"your account"}),"."]})]})]})}const Wn={};function Hi(n){const t=Wn[n.path];return t?e($,{children:[e(j,{title:t.title}),e(de,{title:t.arrives,children:[e("p",{children:t.body}),e("p",{class:"muted",children:"Nothing is shown here until it is real."})]})]}):e(jn,{})}function jn(){return e($,{children:[e(j,{title:"Page not found"}),e("p",{children:["There is no page at ",e("code",{children:window.location.pathname}),". Check the address, or go back to the"," ",e(O,{href:"/",children:"overview"}),"."]})]})}function Pe(n){return e($,{children:[e(j,{title:n.title}),e("div",{class:"alert alert-info",role:"status",children:[e("p",{class:"alert-title",children:"Administrators only"}),e("p",{children:["Your account has the user role. Ask an administrator if you need access, or go to"," ",e(O,{href:"/account",children:"your account"}),"."]})]})]})}const sn=50;function Vi(){const{api:n}=P(),[t,r]=g([]),[s,i]=g(null),[a,o]=g(null),[c,u]=g(!1),[l,h]=g(null),b=Q(async()=>{const p=await n.auditLog({first:sn});return r([]),i(p.auditLog.pageInfo.endCursor),o(p.auditLog.pageInfo.hasNextPage),p}),d=async()=>{u(!0),h(null);try{const p=await n.auditLog({first:sn,after:s});r(y=>[...y,...p.auditLog.edges]),i(p.auditLog.pageInfo.endCursor),o(p.auditLog.pageInfo.hasNextPage)}catch(p){h(H(p))}finally{u(!1)}},f=b.data?[...b.data.auditLog.edges,...t]:[];return e($,{children:[e(j,{title:"Audit log",intro:"Security events: setup, sign-ins (including failed ones), API tokens and changes to administrators. Newest first.",actions:e(I,{onClick:b.reload,busy:b.loading&&!!b.data,busyLabel:"Refreshing…",children:"Refresh"})}),b.loading&&!b.data&&e(V,{label:"Loading the audit log…"}),e(L,{error:b.error,title:"Could not load the audit log",onRetry:b.reload}),b.data&&f.length===0&&e("p",{children:"No events yet."}),f.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Audit events",children:e("table",{class:"audit",children:[e("caption",{class:"sr-only",children:"Audit events, newest first"}),e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"When"}),e("th",{scope:"col",children:"Event"}),e("th",{scope:"col",children:"Who"}),e("th",{scope:"col",children:"Target"}),e("th",{scope:"col",children:"From"}),e("th",{scope:"col",children:"Detail"})]})}),e("tbody",{children:f.map(({node:p})=>e("tr",{class:p.action.endsWith("failed")?"row-warn":void 0,children:[e("td",{class:"when",children:e("time",{dateTime:p.time,children:M(p.time)})}),e("td",{children:[Ai(p.action),e("span",{class:"code-name",children:[" ",p.action]})]}),e("td",{children:p.actor||"—"}),e("td",{children:p.target||"—"}),e("td",{class:"ip",children:p.ip||"—"}),e("td",{class:"detail",children:p.detail||"—"})]},p.id))})]})}),e(L,{error:l,title:"Could not load older events",onRetry:d}),a&&e("p",{children:e(I,{onClick:d,busy:c,busyLabel:"Loading older events…",children:"Show older events"})}),a===!1&&f.length>0&&e("p",{class:"muted",children:["That is the whole log (",f.length," events)."]})]})}const Yn=`
  fragment CheckResultFields on CheckResult {
    name
    status
    detail
    fix
  }
`,zi=`
  mutation TestSystem($system: SystemInput!, $profileId: ID) {
    testSystem(system: $system, profileId: $profileId) {
      type
      instance
      ok
      durationMs
      checkedAt
      timedOut
      message
      results {
        ...CheckResultFields
      }
    }
  }
  ${Yn}
`,Gi=`
  query ProfileChecks($profileId: ID!, $users: [ID!]) {
    profileChecks(profileId: $profileId, users: $users) {
      profileId
      ok
      checkedAt
      message
      crm {
        side
        type
        instance
        ok
        durationMs
        timedOut
        message
        results {
          ...CheckResultFields
        }
      }
      mailbox {
        side
        type
        instance
        ok
        durationMs
        timedOut
        message
        results {
          ...CheckResultFields
        }
      }
      users {
        userId
        ok
        crm {
          email
          name
        }
        mailbox {
          email
          name
        }
        crmResults {
          ...CheckResultFields
        }
        mailboxResults {
          ...CheckResultFields
        }
      }
    }
  }
  ${Yn}
`,Ki=`
  query SuggestLinks($crm: SystemInput!, $mailbox: SystemInput!, $profileId: ID) {
    suggestLinks(crm: $crm, mailbox: $mailbox, profileId: $profileId) {
      complete
      message
      pairs {
        crm {
          id
          email
          name
        }
        mailbox {
          id
          email
          name
        }
        matchedBy
        address
      }
      unmatchedCrm {
        id
        email
        name
      }
      unmatchedMailbox {
        id
        email
        name
      }
    }
  }
`,Qi=`
  query EditSyncProfile($id: ID!) {
    syncProfile(id: $id) {
      id
      name
      crm {
        type
        instance
        settings
        secretFields
      }
      mailbox {
        type
        instance
        settings
        secretFields
      }
      directions {
        kind
        direction
      }
      daysBack
      daysAhead
      filters {
        skipPrivate
        skipAllDay
        skipFree
        skipRecurring
      }
      policy
      onDelete
      pollSeconds
      guard {
        deletes {
          count
          percent
        }
        creates {
          count
          percent
        }
        profileDeletes
        profileCreates
        profileWindowSeconds
        guardFirstSync
      }
      userMay {
        directions
        filters
        window
      }
      users {
        id
        crm {
          id
          email
          name
        }
        mailbox {
          id
          email
          name
        }
      }
    }
  }
`,Ji=`
  query SystemSecretsSet($instance: String!, $names: [String!]!) {
    systemSecretsSet(instance: $instance, names: $names)
  }
`,Xi=`
  mutation UnlinkUser($profileId: ID!, $userId: ID!) {
    unlinkUser(profileId: $profileId, userId: $userId)
  }
`;function Hn(n){const t=n.client;return{testSystem:r=>t.request(zi,r),profileChecks:r=>t.request(Gi,r),suggestLinks:r=>t.request(Ki,r),editProfile:r=>t.request(Qi,r),secretsSet:r=>t.request(Ji,r),unlinkUser:r=>t.request(Xi,r)}}const Zi="graphql-transport-ws";function es(n,t=1e3,r=3e4){return Math.min(r,t*2**Math.min(n,20))}function ts(n=window.location){return`${n.protocol==="https:"?"wss:":"ws:"}//${n.host}/graphql`}function ns(n){const t=n.socket??(y=>new WebSocket(y,Zi)),r=n.setTimer??((y,v)=>window.setTimeout(y,v)),s=n.clearTimer??(y=>window.clearTimeout(y)),i=n.minDelayMs??1e3,a=n.maxDelayMs??3e4;let o=!1,c=0,u=null,l=null;const h=(y,v)=>n.onState?.(y,v);let b=!1,d=!1;const f=()=>{if(l=null,o)return;b||h("connecting");let y;try{y=t(n.url??ts())}catch(v){p(v instanceof Error?v.message:String(v));return}u=y,y.onopen=()=>y.send(JSON.stringify({type:"connection_init",payload:{}})),y.onmessage=v=>{let _;try{_=JSON.parse(String(v.data))}catch{return}switch(_.type){case"connection_ack":y.send(JSON.stringify({id:"1",type:"subscribe",payload:{query:n.query,variables:n.variables??{}}}));break;case"ping":y.send(JSON.stringify({type:"pong"}));break;case"next":{const k=_.payload;k?.errors?.length?(y.close(4400,"subscription error"),p(k.errors[0].message??"the server refused the subscription")):k?.data&&(d||(d=!0,c=0,h("live")),n.onData(k.data));break}case"error":{const k=_.payload;y.close(4400,"subscription error"),p(k?.[0]?.message??"the server refused the subscription");break}case"complete":y.close(1e3,"complete"),p("the server ended the subscription");break}},y.onerror=()=>{},y.onclose=v=>{u===y&&p(v.reason||`the connection closed (${v.code})`)}},p=y=>{const v=u;u=null,v&&(v.onclose=null,v.onmessage=null),!(o||l!==null)&&(b=!0,d=!1,h("offline",y),l=r(f,es(c++,i,a)))};return f(),()=>{o=!0,l!==null&&s(l),l=null;const y=u;if(u=null,y){y.onclose=null,y.onmessage=null;try{y.close(1e3,"done")}catch{}}}}const ae={APPOINTMENT:"Appointments",TASK:"Tasks",CONTACT:"Contacts",GROUP:"Groups"},rs={TWO_WAY:"both ways",CRM_TO_MAILBOX:"CRM → mailbox",MAILBOX_TO_CRM:"mailbox → CRM",OFF:"off"},Vn={NEWEST:"newest change wins",CRM_WINS:"CRM wins",MAILBOX_WINS:"mailbox wins"};function is(n){return e("p",{class:"muted",children:n.children})}function oe(n){const t=n.error;return t?t.code==="UNAVAILABLE"?e(de,{title:"The sync engine is not running on this server",children:[e("p",{children:K(t.message)}),e("p",{class:"muted",children:t.hint}),e(I,{onClick:n.onRetry,children:"Check again"})]}):e(L,{error:t,title:`Could not load ${n.what}`,onRetry:n.onRetry}):null}function ct(){const[n,t]=g(""),[r,s]=g(null),[i,a]=g("");return{busy:n,error:r,done:i,run:async(c,u,l,h)=>{t(c),s(null),a("");try{await u(),a(l),h?.()}catch(b){s(H(b))}finally{t("")}}}}function pt(n,t){return n.filter(r=>r.action.toLowerCase()===t).length}function Mt(n){const t=n.status;return t?t.breaker!=="closed"?{text:`Stopped after errors (${t.breaker})${t.breakerReason?": "+t.breakerReason:""}`,warn:!0}:t.paused?{text:"Paused",warn:!1}:t.running?{text:"Syncing now",warn:!1}:t.lastError?{text:`Last run failed: ${t.lastError}`,warn:!0}:t.queued?{text:"Queued",warn:!1}:t.lastOk?{text:"In sync",warn:!1,at:t.lastOk}:{text:"Waiting for the first sync",warn:!1}:{text:"Not scheduled yet",warn:!1}}const ss={superoffice:"Sign in with SuperOffice",msgraph:"Sign in with Microsoft"};function as(n){const t=new URLSearchParams(n),r=t.get("signin");return r==="ok"?{ok:!0,reason:""}:r==="error"?{ok:!1,reason:t.get("reason")??""}:null}function an(n={}){const{api:t}=P(),r=Q(()=>t.syncProfiles()),s=ct(),i=r.data?.syncProfiles??[],a=n.only?i.filter(l=>l.id===n.only):i,o=as(n.search??""),c=(l,h)=>s.run(`signin:${l}:${h}`,async()=>{const b=await t.beginSignIn({profileId:l,side:h});window.location.assign(b.beginSystemSignIn.url)},"Opening the sign-in page…"),u=new Map((r.data?.schedulerStatus.profiles??[]).map(l=>[l.profileId,l]));return e($,{children:[e(j,{title:"Profiles",intro:"A profile connects a CRM with a mailbox system and says what to sync, which way, and over which date window.",actions:e($,{children:[e(O,{class:"btn btn-primary",href:"/profiles/new",children:"New profile"}),e(I,{onClick:r.reload,busy:r.loading&&!!r.data,busyLabel:"Refreshing…",children:"Refresh"})]})}),n.only&&e("p",{class:"breadcrumb",children:e(O,{href:"/profiles",children:"All profiles"})}),o?.ok&&e(F,{kind:"success",children:"Signed in: the connection is stored (encrypted, never shown) and used from the next run."}),o&&!o.ok&&e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:"The sign-in did not complete"}),e("p",{children:o.reason?K(o.reason):"The provider did not say why."}),e("p",{class:"alert-hint",children:"Check the application's client id and secret in the profile's settings, then sign in again; a sign-in link is valid for 10 minutes."})]}),r.loading&&!r.data&&e(V,{label:"Loading profiles…"}),e(oe,{error:r.error,what:"the profiles",onRetry:r.reload}),r.data&&n.only&&a.length===0&&e(de,{title:"No such profile",children:e("p",{children:["There is no profile “",n.only,"”; it may have been deleted. ",e(O,{href:"/profiles",children:"See all profiles"}),"."]})}),e(L,{error:s.error,title:"The command did not run"}),s.done&&e(F,{kind:"success",children:s.done}),r.data&&i.length===0&&e(de,{title:"No sync profiles yet",children:[e("p",{children:"Nothing is being synchronized. A profile names the CRM and the mailbox system and what to sync between them."}),e("p",{children:e(O,{class:"btn btn-primary",href:"/profiles/new",children:"Create a profile"})})]}),a.map(l=>{const h=u.get(l.id);return e("section",{class:"card","aria-labelledby":`prof-${l.id}`,children:[e("div",{class:"card-head",children:[e("h2",{id:`prof-${l.id}`,children:[l.name," ",e("span",{class:"code-name inline",children:l.id}),h?.paused&&e("span",{class:"badge badge-muted",children:"paused"})]}),e("div",{class:"card-actions",children:[e(I,{variant:"primary",busy:s.busy===`now:${l.id}`,busyLabel:"Queuing…",onClick:()=>s.run(`now:${l.id}`,()=>t.syncNow({profileId:l.id}),`Every user of “${l.name}” is queued to sync now.`,r.reload),children:"Sync now"}),h?.paused?e(I,{busy:s.busy===`resume:${l.id}`,busyLabel:"Resuming…",onClick:()=>s.run(`resume:${l.id}`,()=>t.resumeSync({profileId:l.id}),`“${l.name}” syncs again.`,r.reload),children:"Resume"}):e(I,{busy:s.busy===`pause:${l.id}`,busyLabel:"Pausing…",onClick:()=>s.run(`pause:${l.id}`,()=>t.pauseSync({profileId:l.id}),`“${l.name}” is paused; changes wait until you resume.`,r.reload),children:"Pause"}),["CRM","MAILBOX"].map(b=>{const d=b==="CRM"?l.crm:l.mailbox,f=ss[d.type];return f&&e(I,{busy:s.busy===`signin:${l.id}:${b}`,busyLabel:"Opening sign-in…","aria-label":`${f} (${d.instance}) for ${l.name}`,onClick:()=>c(l.id,b),children:f},b)}),e(O,{class:"btn btn-secondary",href:`/profiles/${encodeURIComponent(l.id)}/edit`,"aria-label":`Edit ${l.name}`,children:"Edit"}),e(O,{class:"btn btn-secondary",href:`/profiles/${encodeURIComponent(l.id)}/checks`,"aria-label":`Checks of ${l.name}`,children:"Checks"})]})]}),e("dl",{class:"facts",children:[e("dt",{children:"CRM"}),e("dd",{children:[l.crm.type," ",e("span",{class:"muted",children:["(",l.crm.instance,")"]})]}),e("dt",{children:"Mailboxes"}),e("dd",{children:[l.mailbox.type," ",e("span",{class:"muted",children:["(",l.mailbox.instance,")"]})]}),e("dt",{children:"Syncs"}),e("dd",{children:l.directions.filter(b=>b.direction!=="OFF").map(b=>`${ae[b.kind]??b.kind} ${rs[b.direction]??b.direction}`).join(", ")||"nothing (every kind is off)"}),e("dt",{children:"Window"}),e("dd",{children:[l.daysBack," days back, ",l.daysAhead," days ahead"]}),e("dt",{children:"Conflicts"}),e("dd",{children:Vn[l.policy]??l.policy}),e("dt",{children:"Polling"}),e("dd",{children:["every ",l.pollSeconds," s"]}),e("dt",{children:"Users"}),e("dd",{children:[l.users.length," linked",h?`, ${h.running} syncing, ${h.queued} queued`:""]})]})]},l.id)})]})}function os(n){const[t,r]=g({state:"connecting",detail:""}),s=re(n);return s.current=n,ne(()=>{if(typeof WebSocket>"u"){r({state:"offline",detail:"this browser has no websockets"});return}let i=null,a=0;const o=ns({query:si,onData:c=>{if(!c.syncStatus.event)return;const u=Math.max(0,a+1e3-Date.now());i===null&&(i=window.setTimeout(()=>{i=null,a=Date.now(),s.current()},u))},onState:(c,u)=>r({state:c,detail:u??""})});return()=>{o(),i!==null&&window.clearTimeout(i)}},[]),t}function ls(n){return e("p",{class:`live live-${n.state}`,role:"status",children:[e("span",{class:"live-dot","aria-hidden":"true"}),n.state==="live"?"Live: this list updates as users sync.":n.state==="connecting"?"Connecting for live updates…":`Live updates are unavailable${n.detail?` (${n.detail})`:""}; retrying in the background. Use Refresh to see the latest state.`]})}function cs(n,t,r){const s=t.trim().toLowerCase();if(s&&![n.id,n.crm.name,n.crm.email,n.mailbox.email,n.mailbox.name].some(a=>(a??"").toLowerCase().includes(s)))return!1;const i=n.status;switch(r){case"problems":return!!i&&(!!i.lastError||i.breaker!=="closed"||i.failures>0);case"paused":return!!i?.paused;case"syncing":return!!i&&(i.running||i.queued)}return!0}function ds(n){const t=n==null?"":String(n);return/[",\n\r]/.test(t)?`"${t.replace(/"/g,'""')}"`:t}function us(n){const t=[["profile","user","name","crmEmail","mailboxEmail","state","lastRun","nextRun","lastError"]];for(const r of n)for(const s of r.users)t.push([r.id,s.id,s.crm.name,s.crm.email,s.mailbox.email,Mt(s).text,s.status?.lastRun??"",s.status?.nextRun??"",s.status?.lastError??""]);return t.map(r=>r.map(ds).join(",")).join(`
`)+`
`}function hs(){const{api:n}=P(),t=Q(()=>n.syncProfiles()),r=os(t.reload),s=ct(),i=t.data?.syncProfiles??[],a=i.reduce((d,f)=>d+f.users.length,0),[o,c]=g(""),[u,l]=g("all"),h=i.map(d=>({...d,users:d.users.filter(f=>cs(f,o,u))})),b=h.reduce((d,f)=>d+f.users.length,0);return e($,{children:[e(j,{title:"Users",intro:"Each linked user pairs a CRM account with a mailbox. Their state shows when they last synced and what went wrong.",actions:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Refreshing…",children:"Refresh"})}),e(ls,{state:r.state,detail:r.detail}),t.loading&&!t.data&&e(V,{label:"Loading users…"}),e(oe,{error:t.error,what:"the users",onRetry:t.reload}),e(L,{error:s.error,title:"The command did not run"}),s.done&&e(F,{kind:"success",children:s.done}),t.data&&a===0&&e(de,{title:"No linked users yet",children:[e("p",{children:i.length===0?"There is no sync profile yet, so nobody can be linked.":"No CRM account is linked to a mailbox yet."}),e(is,{children:["Link users in the last steps of ",e(O,{href:"/profiles/new",children:"a new profile"}),", or with the ",e("code",{children:"linkUser"})," mutation of the GraphQL API."]})]}),a>0&&e("div",{class:"grid-tools",role:"search","aria-label":"Filter users",children:[e("div",{class:"field",children:[e("label",{for:"user-search",children:"Search"}),e("input",{id:"user-search",type:"search",value:o,onInput:d=>c(d.currentTarget.value),placeholder:"Name or e-mail"})]}),e("div",{class:"field",children:[e("label",{for:"user-filter",children:"Show"}),e("select",{id:"user-filter",value:u,onChange:d=>l(d.currentTarget.value),children:[e("option",{value:"all",children:"All users"}),e("option",{value:"problems",children:"Users with problems"}),e("option",{value:"paused",children:"Paused users"}),e("option",{value:"syncing",children:"Syncing or queued"})]})]}),e("a",{class:"btn btn-secondary",download:"synchronizer-users.csv",href:`data:text/csv;charset=utf-8,${encodeURIComponent(us(h))}`,children:"Export as CSV"}),e("p",{class:"muted",role:"status",children:b===a?`${a} users`:`${b} of ${a} users`})]}),h.filter(d=>d.users.length>0).map(d=>e("section",{class:"card","aria-labelledby":`users-${d.id}`,children:[e("h2",{id:`users-${d.id}`,children:d.name}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":`Users of ${d.name}`,children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"User"}),e("th",{scope:"col",children:"CRM ⇄ mailbox"}),e("th",{scope:"col",children:"State"}),e("th",{scope:"col",children:"Next run"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:d.users.map(f=>{const p=Mt(f),y=`${d.id}/${f.id}`;return e("tr",{class:p.warn?"row-warn":void 0,children:[e("td",{children:e(O,{href:qn(d.id,f.id),children:f.crm.name||f.id})}),e("td",{children:[f.crm.email||"—",e("br",{}),e("span",{class:"muted",children:["⇄ ",f.mailbox.email||"—"]})]}),e("td",{children:[p.text,p.at&&e($,{children:[e("br",{}),e("span",{class:"muted",children:["as of ",M(p.at)]})]})]}),e("td",{class:"when",children:M(f.status?.nextRun)}),e("td",{class:"actions",children:[e(I,{variant:"ghost",busy:s.busy===`now:${y}`,busyLabel:"Queuing…","aria-label":`Sync now for ${f.crm.name||f.id}`,onClick:()=>s.run(`now:${y}`,()=>n.syncNow({profileId:d.id,userId:f.id}),`${f.crm.name||f.id} is queued to sync now.`,t.reload),children:"Sync now"}),f.status?.paused?e(I,{variant:"ghost",busy:s.busy===`resume:${y}`,busyLabel:"Resuming…","aria-label":`Resume ${f.crm.name||f.id}`,onClick:()=>s.run(`resume:${y}`,()=>n.resumeSync({profileId:d.id,userId:f.id}),`${f.crm.name||f.id} syncs again.`,t.reload),children:"Resume"}):e(I,{variant:"ghost",busy:s.busy===`pause:${y}`,busyLabel:"Pausing…","aria-label":`Pause ${f.crm.name||f.id}`,onClick:()=>s.run(`pause:${y}`,()=>n.pauseSync({profileId:d.id,userId:f.id}),`${f.crm.name||f.id} is paused.`,t.reload),children:"Pause"})]})]},f.id)})})]})})]},d.id))]})}function yt(n){if(!n)return null;try{const t=JSON.parse(n);return t&&typeof t=="object"&&!Array.isArray(t)?t:null}catch{return null}}function ms(n){return n==null||n===""?"(empty)":typeof n=="string"?n:typeof n=="number"||typeof n=="boolean"?String(n):JSON.stringify(n,null,1)}function fs(n){const t=n.c,r=[{label:"At the last sync",v:yt(t.base),raw:t.base},{label:"In the CRM",v:yt(t.crm),raw:t.crm},{label:"In the mailbox",v:yt(t.mailbox),raw:t.mailbox}];return e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":`Values of the conflict ${t.id}`,children:e("table",{class:"compare",children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Field"}),r.map(s=>e("th",{scope:"col",children:s.label},s.label))]})}),e("tbody",{children:t.fields.map(s=>e("tr",{children:[e("th",{scope:"row",children:s}),r.map((i,a)=>{const o=a===1&&t.decision==="CRM"||a===2&&t.decision==="MAILBOX";return e("td",{class:`wrap${o?" kept":""}`,children:[i.v?ms(i.v[s]):i.raw?i.raw:"—",o&&e("span",{class:"badge",children:"kept"})]},i.label)})]},s))})]})})}function ps(){const{api:n}=P(),t=Q(()=>n.syncConflicts({openOnly:!0})),[r,s]=g(null),[i,a]=g(""),o=t.data?.syncConflicts??[];return e($,{children:[e(j,{title:"Conflicts",intro:"A conflict is a field changed differently on both sides since the last sync. The profile's policy already chose a side; here you can confirm it or choose the other.",actions:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Refreshing…",children:"Refresh"})}),t.loading&&!t.data&&e(V,{label:"Loading conflicts…"}),e(oe,{error:t.error,what:"the conflicts",onRetry:t.reload}),i&&e(F,{kind:"success",children:i}),t.data&&o.length===0&&e(de,{title:"No open conflicts",children:e("p",{children:"Every change so far could be merged field by field, or there has been no sync yet."})}),o.map(c=>e("section",{class:"card","aria-labelledby":`conf-${c.id}`,children:[e("div",{class:"card-head",children:[e("h2",{id:`conf-${c.id}`,children:[ae[c.kind]??c.kind," of ",e(O,{href:qn(c.profileId,c.userId),children:c.userId})," ",e("span",{class:"code-name inline",children:c.profileId})]}),e("div",{class:"card-actions",children:[e(I,{onClick:()=>s({c,side:c.decision==="CRM"?"CRM":"MAILBOX"}),children:"Accept the policy"}),e(I,{onClick:()=>s({c,side:"CRM"}),children:"Keep the CRM's values"}),e(I,{onClick:()=>s({c,side:"MAILBOX"}),children:"Keep the mailbox's values"})]})]}),e(fs,{c}),e("dl",{class:"facts",children:[e("dt",{children:"Found"}),e("dd",{children:M(c.at)}),e("dt",{children:"Items"}),e("dd",{children:["CRM ",e("span",{class:"code-name inline",children:c.crmItemId}),", mailbox ",e("span",{class:"code-name inline",children:c.mailboxItemId})]}),e("dt",{children:"Policy kept"}),e("dd",{children:[c.decision==="CRM"?"the CRM":"the mailbox"," (",Vn[c.policy]??c.policy,"); the other side already has these values"]})]})]},c.id)),e(Te,{open:r!==null,title:r?.side==="CRM"?"Keep the CRM's values?":"Keep the mailbox's values?",confirmLabel:"Resolve conflict",busyLabel:"Resolving…",onClose:()=>s(null),onConfirm:async()=>{r&&(await n.resolveConflict({id:r.c.id,choice:r.side}),a(`Conflict resolved: both copies now have the ${r.side==="CRM"?"CRM's":"mailbox's"} values of ${r.c.fields.join(", ")}.`),t.reload())},children:e("p",{children:["Both copies get the ",r?.side==="CRM"?"CRM's":"mailbox's"," values of ",r?.c.fields.join(", "),". The change is journaled and can be undone from the run it creates."]})})]})}function ys(){const{api:n}=P(),t=Q(()=>n.pendingApprovals()),[r,s]=g(null),[i,a]=g(""),o=t.data?.pendingApprovals??[];return e($,{children:[e(j,{title:"Approvals",intro:"A run that would delete or create more items than its profile allows stops here. Nothing was written; it waits for you.",actions:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Refreshing…",children:"Refresh"})}),t.loading&&!t.data&&e(V,{label:"Loading approvals…"}),e(oe,{error:t.error,what:"the approvals",onRetry:t.reload}),i&&e(F,{kind:"success",children:i}),t.data&&o.length===0&&e(de,{title:"Nothing waits for approval",children:e("p",{children:"No run has gone over its mass-change limits."})}),o.map(c=>e("section",{class:"card","aria-labelledby":`run-${c.id}`,children:[e("div",{class:"card-head",children:[e("h2",{id:`run-${c.id}`,children:[ae[c.kind]??c.kind," of ",c.userId," ",e("span",{class:"code-name inline",children:c.profileId})]}),e("div",{class:"card-actions",children:[e(I,{variant:"primary",onClick:()=>s({run:c,approve:!0}),children:"Approve…"}),e(I,{onClick:()=>s({run:c,approve:!1}),children:"Reject…"})]})]}),e("p",{children:["Stopped ",M(c.start)," by the limit ",e("strong",{children:c.guard||"mass-change guard"}),": it would create ",pt(c.planned,"create"),", update"," ",pt(c.planned,"update")," and delete ",pt(c.planned,"delete")," of ",c.counts.listed," items."]}),c.planned.length>0&&e("details",{children:[e("summary",{children:["Show the ",c.planned.length," planned changes"]}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":`Planned changes of run ${c.id}`,children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Action"}),e("th",{scope:"col",children:"Side"}),e("th",{scope:"col",children:"Item"}),e("th",{scope:"col",children:"Why"})]})}),e("tbody",{children:c.planned.map((u,l)=>e("tr",{children:[e("td",{children:u.action}),e("td",{children:u.side==="CRM"?"CRM":"mailbox"}),e("td",{children:u.title||u.linkId}),e("td",{children:u.reason||"—"})]},l))})]})})]})]},c.id)),e(Te,{open:r!==null,title:r?.approve?"Approve this run?":"Reject this run?",confirmLabel:r?.approve?"Approve and run":"Reject",busyLabel:r?.approve?"Approving…":"Rejecting…",onClose:()=>s(null),onConfirm:async()=>{r&&(r.approve?(await n.approveRun({id:r.run.id}),a("Approved: the run starts again now and applies the changes you saw. New deletes or creates would stop it again.")):(await n.rejectRun({id:r.run.id}),a("Rejected: nothing was written. The next run plans again from the current state.")),t.reload())},children:r?.approve?e("p",{children:["The run starts again at once and may create ",r.run.counts.created," and delete ",r.run.counts.deleted," items. Every change is journaled and the run can be undone."]}):e("p",{children:"Nothing is written. The next scheduled run plans again, and stops again if it still goes over the limits."})})]})}function gs(n){const t=n.s;return t.requests===0?e($,{children:"unlimited"}):e($,{children:[t.budgetLeft," of ",t.requests," per ",t.perSeconds," s"]})}function bs(){const{api:n}=P(),t=Q(()=>n.governor()),r=t.data?.schedulerStatus,s=t.data?.governorStatus??[];return e($,{children:[e(j,{title:"Governor",intro:"Every call to a remote system passes the governor: it keeps within each system's concurrency and request limits and backs off when asked.",actions:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Refreshing…",children:"Refresh"})}),t.loading&&!t.data&&e(V,{label:"Loading the governor's state…"}),e(oe,{error:t.error,what:"the governor's state",onRetry:t.reload}),r&&e("section",{class:"card","aria-labelledby":"sched-h",children:[e("h2",{id:"sched-h",children:"Scheduler"}),e("dl",{class:"facts",children:[e("dt",{children:"State"}),e("dd",{children:r.stopping?"stopping":r.started?"running":"not started"}),e("dt",{children:"Workers"}),e("dd",{children:r.workers}),e("dt",{children:"Queued jobs"}),e("dd",{children:r.queueDepth}),e("dt",{children:"Running jobs"}),e("dd",{children:r.running.length===0?"none":r.running.map(i=>`${i.profileId}/${i.userId} ${ae[i.kind]??i.kind} (${i.trigger})`).join(", ")}),e("dt",{children:"Housekeeping"}),e("dd",{children:r.housekeeping.hour<0?"off":`daily at ${r.housekeeping.hour}:00, next ${M(r.housekeeping.nextRun)}`}),e("dt",{children:"Snapshot"}),e("dd",{children:M(r.at)})]}),r.systems.some(i=>i.state!=="closed")&&e("div",{class:"alert alert-warning",role:"status",children:[e("p",{class:"alert-title",children:"Paused after errors"}),e("ul",{children:r.systems.filter(i=>i.state!=="closed").map(i=>e("li",{children:[i.system,": ",i.state," after ",i.failures," failures",i.until?`, retried ${M(i.until)}`:""]},i.system))})]})]}),t.data&&e("section",{class:"card","aria-labelledby":"gov-h",children:[e("h2",{id:"gov-h",children:"Limits per system"}),s.length===0?e("p",{children:"No remote system has been called yet, so there are no limits in use."}):e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Limits per system",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Scope"}),e("th",{scope:"col",children:"In flight"}),e("th",{scope:"col",children:"Waiting"}),e("th",{scope:"col",children:"Request budget"}),e("th",{scope:"col",children:"Avg. latency"}),e("th",{scope:"col",children:"Throttled"}),e("th",{scope:"col",children:"State"})]})}),e("tbody",{children:s.map(i=>e("tr",{class:i.backingOffUntil||i.slowedDown?"row-warn":void 0,children:[e("td",{children:[i.system," ",i.kind," ",e("span",{class:"code-name",children:i.key})]}),e("td",{children:[i.inFlight," / ",i.maxInFlight===0?"∞":i.effectiveInFlight]}),e("td",{children:i.waiting}),e("td",{children:e(gs,{s:i})}),e("td",{children:[Math.round(i.avgLatencyMs)," ms"]}),e("td",{children:[i.recentThrottles," recent, ",i.throttled," total"]}),e("td",{children:i.backingOffUntil?`backing off until ${M(i.backingOffUntil)}`:i.slowedDown?"slowed down (high latency)":"normal"})]},i.scope))})]})})]})]})}const vs={OK:"OK",WARNING:"Warning",FAILED:"Failed"};function At(n){return n.results.length===0?e("p",{class:"hint",children:n.empty??"No checks."}):e("ul",{class:"check-list","aria-label":n.label,children:n.results.map((t,r)=>e("li",{class:`check-item check-${t.status.toLowerCase()}`,children:[e("span",{class:"check-status",children:vs[t.status]??t.status})," ",e("span",{class:"check-name",children:t.name}),t.detail&&e("span",{class:"check-detail",children:[": ",t.detail]}),t.fix&&t.status!=="OK"&&e("p",{class:"check-fix",children:["What to do: ",t.fix]})]},`${t.name}-${r}`))})}function ws(n){const t=n.results.filter(s=>s.status==="FAILED").length,r=n.results.filter(s=>s.status==="WARNING").length;return n.timedOut?"Did not finish in time":n.ok?r?`Works, with ${r} warning${r>1?"s":""}`:"All checks passed":`${t} of ${n.results.length} checks failed`}function nt(n){const t=n.report;return e("div",{class:`check-report ${t.ok?"check-report-ok":"check-report-failed"}`,children:[e("p",{class:"check-summary",children:[e("strong",{children:[n.title,":"]})," ",ws(t)," ",e("span",{class:"muted",children:["(",(t.durationMs/1e3).toFixed(1)," s)"]})]}),t.message&&e("p",{class:"hint",children:t.message}),e(At,{results:t.results,label:`Checks of ${n.title}`,empty:"This system ran no checks."})]})}function on(n){const{api:t}=P(),r=Q(()=>t.syncProfiles()),s=r.data?.syncProfiles??[],i=n.profileId??(s.length===1?s[0].id:""),[a,o]=g(null),[c,u]=g(null),[l,h]=g(!1),b=async y=>{h(!0),u(null);try{const v=await Hn(t).profileChecks({profileId:y});o(v.profileChecks)}catch(v){u(H(v))}finally{h(!1)}};ne(()=>{i&&b(i)},[i]);const d=s.find(y=>y.id===i),f=d?`Checks: ${d.name}`:"Checks",p=a&&a.profileId===i?a:null;return e($,{children:[n.profileId&&e("p",{class:"breadcrumb",children:[e(O,{href:"/profiles",children:"Profiles"})," ",e("span",{"aria-hidden":"true",children:"›"})," ",e(O,{href:`/profiles/${encodeURIComponent(n.profileId)}`,children:d?.name??n.profileId})," ",e("span",{"aria-hidden":"true",children:"›"})," Checks"]}),e(j,{title:f,intro:"Every preflight check of the profile's two systems and of each linked user's accounts. A failed check says what to do.",actions:i&&e(I,{variant:"primary",onClick:()=>b(i),busy:l,busyLabel:"Running the checks…",children:"Run the checks again"})}),r.loading&&!r.data&&e(V,{label:"Loading profiles…"}),e(oe,{error:r.error,what:"the profiles",onRetry:r.reload}),!n.profileId&&s.length>1&&e("nav",{class:"card","aria-label":"Profiles to check",children:[e("p",{children:"Choose the profile to check:"}),e("ul",{children:s.map(y=>e("li",{children:e(O,{href:`/profiles/${encodeURIComponent(y.id)}/checks`,children:[y.name," ",e("span",{class:"code-name inline",children:y.id})]})},y.id))})]}),r.data&&s.length===0&&e(de,{title:"Nothing to check yet",children:[e("p",{children:"Checks run against a profile's systems. Create a profile first."}),e("p",{children:e(I,{variant:"primary",onClick:()=>me("/profiles/new"),children:"Create a profile"})})]}),l&&e(V,{label:"Running every check; this takes a few seconds…"}),e(L,{error:c,title:"The checks did not run",onRetry:i?()=>b(i):void 0}),p&&e($,{children:[e("p",{class:`check-overall ${p.ok?"check-report-ok":"check-report-failed"}`,role:"status",children:[p.ok?"No check failed.":"Some checks failed: see what to do below."," Checked at ",M(p.checkedAt),"."]}),p.message&&e("p",{class:"hint",children:p.message}),e("div",{class:"wizard-systems",children:[e("section",{class:"card","aria-labelledby":"chk-crm",children:[e("h2",{id:"chk-crm",children:["CRM ",e("span",{class:"muted",children:["(",p.crm.instance,")"]})]}),e(nt,{title:"CRM",report:p.crm})]}),e("section",{class:"card","aria-labelledby":"chk-mbx",children:[e("h2",{id:"chk-mbx",children:["Mailboxes ",e("span",{class:"muted",children:["(",p.mailbox.instance,")"]})]}),e(nt,{title:"Mailboxes",report:p.mailbox})]})]}),e("section",{class:"card","aria-labelledby":"chk-users",children:[e("h2",{id:"chk-users",children:"Linked users"}),p.users.length===0&&e("p",{children:"No users are linked to this profile."}),p.users.map(y=>e("div",{class:`check-user ${y.ok?"check-report-ok":"check-report-failed"}`,children:[e("h3",{children:[y.crm.name||y.userId," ",e("span",{class:"code-name inline",children:y.userId})," ",e("span",{class:"check-status",children:y.ok?"OK":"Failed"})]}),e(At,{results:y.crmResults,label:`CRM checks of ${y.userId}`,empty:"The CRM runs no checks per user."}),e(At,{results:y.mailboxResults,label:`Mailbox checks of ${y.userId}`,empty:"The mailbox system runs no checks per user."})]},y.userId))]})]})]})}const ln=/(401|unauthori[sz]ed|invalid_grant|consent|refresh token|sign in|signed in|expired token|AADSTS)/i;function _s(n){const t=n.status,r=n.mailboxSignIn?"Select “Authorize my mailbox” and sign in with Microsoft again.":"Ask your administrator to check the connection to your mailbox.";if(n.mailboxSignIn&&!n.mailboxAuthorized)return{tone:"warn",title:"Your mailbox is not authorized yet",next:"Select “Authorize my mailbox” and sign in with your Microsoft account. Syncing starts right after."};if(!t)return{tone:"ok",title:"Waiting for the first sync",next:"Nothing to do: the first sync starts within a few minutes."};if(t.paused)return{tone:"warn",title:"Paused by your administrator",next:"Changes wait until your administrator resumes the sync; nothing is lost."};const s=t.breakerReason||t.lastError||"";if(t.breaker!=="closed")return{tone:"error",title:`Sync stopped after ${t.failures} failed attempts`,next:ln.test(s)?r:"It retries by itself later. If the problem stays, tell your administrator what the error below says."};if(t.lastError)return{tone:"warn",title:"The last sync failed",next:ln.test(t.lastError)?r:"It retries at the next run. Select “Sync now” to try at once; if it keeps failing, tell your administrator."};if(n.quarantine.length>0){const i=n.quarantine.length;return{tone:"warn",title:`${i} item${i===1?"":"s"} cannot be synced`,next:"Change the item named below where it says (for example shorten a too long text); the next sync reads it again."}}return t.running?{tone:"ok",title:"Syncing now",next:""}:t.queued?{tone:"ok",title:"Queued to sync",next:""}:t.lastOk?{tone:"ok",title:"In sync",next:""}:{tone:"ok",title:"Waiting for the first sync",next:"Nothing to do: the first sync starts within a few minutes."}}const gt="Locked by your administrator for this profile.";function ks(n){const t=n.overrides,r={};for(const s of t.directions)r[s.kind]=s.direction;return{directions:r,filters:t.filters?{...t.filters}:null,daysBack:t.daysBack==null?"":String(t.daysBack),daysAhead:t.daysAhead==null?"":String(t.daysAhead)}}function cn(n,t,r){const s=t.trim();return s===""?null:!/^\d+$/.test(s)||Number(s)>3650?(r[n]="Enter a whole number of days from 0 to 3650, or leave it empty for the profile’s setting.",null):Number(s)}function Is(n,t){const r={},s={};if(n.userMay.directions){const i=Object.entries(t.directions).filter(([,a])=>a!=="").map(([a,o])=>({kind:a,direction:o}));i.length>0&&(s.directions=i)}if(n.userMay.filters&&t.filters&&(s.filters={...t.filters}),n.userMay.window){const i=cn("daysBack",t.daysBack,r),a=cn("daysAhead",t.daysAhead,r);i!==null&&(s.daysBack=i),a!==null&&(s.daysAhead=a)}return{input:s,errors:r}}function Ss(n){const t=new URLSearchParams(n).get("signin");switch(t){case null:case"":return"";case"not_linked":return"Your CRM user is not linked to a mailbox here. Ask your administrator to link you, then sign in again.";case"admin_account":return"Your address belongs to an administrator account: sign in with your e-mail address and password instead.";case"other_browser":case"unknown_state":return"The sign-in expired or was started in another browser. Start it again from this page.";case"access_denied":return"The sign-in was cancelled at SuperOffice. Start it again when you are ready.";case"unknown_provider":return"That sign-in option is no longer available. Choose another one, or ask your administrator.";default:return`Signing in with SuperOffice did not work (${t}). Try again; if it keeps failing, ask your administrator.`}}function Cs(n){const t=new URLSearchParams(n),r=t.get("signin");if(r==="ok")return{ok:!0,text:"Your mailbox is authorized. Your first sync starts within a few minutes."};if(r!=="error")return null;const s=t.get("reason")??"";return s==="access_denied"||s==="consent_required"?{ok:!1,text:"The authorization was cancelled or refused at Microsoft. Select “Authorize my mailbox” to try again; if your organisation must approve the app first, ask your administrator."}:{ok:!1,text:`Authorizing your mailbox did not work (${s||"unknown reason"}). Select “Authorize my mailbox” to try again; if it keeps failing, ask your administrator.`}}function rt(n){return e("div",{class:"auth-layout",children:e("main",{id:"main",class:"auth-card",children:[e("p",{class:"brand","aria-hidden":"true",children:[e("span",{class:"brand-mark"})," Synchronizer"]}),n.children]})})}const $s={FORBIDDEN:"Copy the setup link from the server log again (each start of the server prints a new token) and open it, or paste its token above.",SETUP_DONE:"Setup was completed already. Sign in with the administrator account instead."},Rs={UNAUTHENTICATED:"Check the e-mail address and the password (it is case-sensitive), then try again.",FORBIDDEN:"This account cannot sign in. Ask another administrator to check it."},As={NOT_FOUND:"Ask the admin who invited you for a new invitation link.",FORBIDDEN:"Ask the admin who invited you for a new invitation link."};function zn(n){const t=n.error?0:[...n.value].length;return e($,{children:["At least ",xe," characters. A few unrelated words make a strong, memorable password.",t>0&&t<xe&&e("span",{class:"counter",children:[" ",xe-t," more to go."]})]})}function Es(){const{api:n,signedIn:t}=P(),r=new URLSearchParams(window.location.search).get("token")??"",[s,i]=g(r),[a,o]=g(""),[c,u]=g(""),[l,h]=g(""),[b,d]=g(""),[f,p]=g({}),[y,v]=g(null),[_,k]=g(!1),S=re(null);return e(rt,{children:[e(j,{title:"Set up Synchronizer",intro:"Create the first administrator account. You will use it to connect your systems and invite other admins."}),e("form",{ref:S,onSubmit:async E=>{E.preventDefault();const q={};s.trim()||(q.token="Enter the setup token from the server log.");const G=lt(a);G&&(q.email=G),c.trim()||(q.name="Enter your name.");const ie=ot(l);if(ie?q.password=ie:b!==l&&(q.confirm="The two passwords differ. Type the same password twice."),p(q),v(null),Object.keys(q).length>0){se(S.current);return}k(!0);try{const le=await n.setup({input:{token:s.trim(),email:a.trim(),name:c.trim(),password:l}});t(le.setup.account)}catch(le){const{fields:J,general:ce}=ue(le,["token","email","name","password"]);p(J),v(ce),k(!1),se(S.current)}},noValidate:!0,"aria-describedby":"setup-errors",children:[e("div",{id:"setup-errors",children:e(L,{error:y,title:"Setup did not complete",hints:$s})}),r?e(F,{kind:"success",children:"The one-time setup token from your setup link has been filled in."}):e(R,{label:"Setup token",name:"token",value:s,onInput:i,required:!0,autoComplete:"off",error:f.token,hint:e($,{children:["The server prints a one-time link when it starts for the first time, such as"," ",e("code",{children:"http://127.0.0.1:8080/setup?token=…"}),". Open that link, or paste the part after"," ",e("code",{children:"token="})," here. Restarting the server prints a new one."]})}),r&&f.token&&e("p",{class:"field-error",children:f.token}),e(R,{label:"Your name",name:"name",value:c,onInput:u,required:!0,autoComplete:"name",error:f.name}),e(R,{label:"E-mail address",name:"email",type:"email",inputMode:"email",value:a,onInput:o,required:!0,autoComplete:"username",error:f.email,hint:"You sign in with this address."}),e(R,{label:"Password",name:"password",type:"password",value:l,onInput:h,required:!0,autoComplete:"new-password",error:f.password,hint:e(zn,{value:l,error:f.password})}),e(R,{label:"Repeat the password",name:"confirm",type:"password",value:b,onInput:d,required:!0,autoComplete:"new-password",error:f.confirm}),e(I,{type:"submit",variant:"primary",busy:_,busyLabel:"Creating your account…",class:"btn-block",children:"Create administrator"})]})]})}function xs(){const{api:n,signedIn:t}=P(),[r,s]=g(""),[i,a]=g(""),[o,c]=g({}),[u,l]=g(null),[h,b]=g(!1),d=re(null),p=new URLSearchParams(window.location.search).get("reason"),y=Ss(window.location.search),v=Q(()=>n.signInProviders().catch(()=>({signInProviders:[]})),[]),_=async k=>{k.preventDefault();const S={},A=lt(r);if(A&&(S.email=A),i||(S.password="Enter your password."),c(S),l(null),Object.keys(S).length>0){se(d.current);return}b(!0);try{const E=await n.login({email:r.trim(),password:i});t(E.login.account)}catch(E){const{fields:q,general:G}=ue(E,["email","password"]);c(q),l(G),b(!1),se(d.current)}};return e(rt,{children:[e(j,{title:"Sign in",intro:"Sign in to manage Synchronizer, or to see how your own sync is doing."}),y&&e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:"You are not signed in"}),e("p",{children:y})]}),(v.data?.signInProviders.length??0)>0&&e("section",{"aria-labelledby":"sso-h",class:"sso",children:[e("h2",{id:"sso-h",class:"sr-only",children:"Sign in with your CRM account"}),v.data?.signInProviders.map(k=>e("a",{class:"btn btn-secondary btn-block",href:k.startUrl,children:["Sign in with ",k.name]},k.id)),e("p",{class:"aside",children:"Or, with a password:"})]}),!u&&p==="expired"&&e(F,{kind:"info",children:"Your session has ended. Sign in again to continue where you were."}),!u&&p==="signed-out"&&e(F,{kind:"success",children:"You have signed out."}),e("form",{ref:d,onSubmit:_,noValidate:!0,children:[e(L,{error:u,title:"Sign-in failed",hints:Rs}),e(R,{label:"E-mail address",name:"email",type:"email",inputMode:"email",value:r,onInput:s,required:!0,autoComplete:"username",error:o.email}),e(R,{label:"Password",name:"password",type:"password",value:i,onInput:a,required:!0,autoComplete:"current-password",error:o.password}),e(I,{type:"submit",variant:"primary",busy:h,busyLabel:"Signing in…",class:"btn-block",children:"Sign in"})]}),e("p",{class:"aside",children:"Forgot your password? Ask another administrator: they can remove your account and invite you again."})]})}function Ts(){const{api:n,signedIn:t,viewer:r}=P(),s=new URLSearchParams(window.location.search).get("token")??"",[i,a]=g(""),[o,c]=g(""),[u,l]=g(""),[h,b]=g({}),[d,f]=g(null),[p,y]=g(!1),v=re(null);if(!s)return e(rt,{children:[e(j,{title:"Accept an invitation"}),e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:"This invitation link is incomplete"}),e("p",{children:"The link has no token. Open the full link from the invitation, or ask the admin who invited you for a new one."})]})]});const _=async k=>{k.preventDefault();const S={},A=ot(o);if(A?S.password=A:u!==o&&(S.confirm="The two passwords differ. Type the same password twice."),b(S),f(null),Object.keys(S).length>0){se(v.current);return}y(!0);try{const E=await n.acceptInvitation({token:s,name:i.trim()||null,password:o});t(E.acceptInvitation.account)}catch(E){const{fields:q,general:G}=ue(E,["name","password"]);b(q),f(G),y(!1),se(v.current)}};return e(rt,{children:[e(j,{title:"Accept your invitation",intro:"Choose a password to create your administrator account."}),r&&e(F,{kind:"warning",children:["You are signed in as ",r.email,". Accepting this invitation signs you in as the invited account instead."]}),e("form",{ref:v,onSubmit:_,noValidate:!0,children:[e(L,{error:d,title:"The invitation could not be accepted",hints:As}),e(R,{label:"Your name",name:"name",value:i,onInput:a,autoComplete:"name",error:h.name,hint:"Leave empty to keep the name the inviting admin entered."}),e(R,{label:"Password",name:"password",type:"password",value:o,onInput:c,required:!0,autoComplete:"new-password",error:h.password,hint:e(zn,{value:o,error:h.password})}),e(R,{label:"Repeat the password",name:"confirm",type:"password",value:u,onInput:l,required:!0,autoComplete:"new-password",error:h.confirm}),e(I,{type:"submit",variant:"primary",busy:p,busyLabel:"Creating your account…",class:"btn-block",children:"Create my account"})]})]})}const dn={TWO_WAY:"Both ways",CRM_TO_MAILBOX:"CRM → mailbox only",MAILBOX_TO_CRM:"Mailbox → CRM only",OFF:"Off"},Ns=[["skipPrivate","Skip private items"],["skipAllDay","Skip all-day events"],["skipFree","Skip events shown as free"],["skipRecurring","Skip recurring series"]],Ps={OK:"Done",FAILED:"Failed",PARTIAL:"Partly done",RUNNING:"Running",NEEDS_APPROVAL:"Waiting for your administrator",REJECTED:"Rejected by your administrator",APPROVED:"Approved"};function Ls(){const{api:n}=P(),t=Q(()=>n.myLinks(),[]),r=Cs(window.location.search);return e($,{children:[e(j,{title:"Your sync",intro:"How the sync of your CRM and your mailbox is doing, and what you can do about it."}),r&&e(F,{kind:r.ok?"success":"warning",children:r.text}),t.loading&&!t.data&&e(V,{label:"Loading your sync…"}),e(oe,{error:t.error,what:"your sync",onRetry:t.reload}),t.data&&t.data.myLinks.length===0&&e(de,{title:"No mailbox is linked to your account",children:e("p",{children:"Your administrator has not linked your CRM user to a mailbox yet, or has removed the link. Ask them to link you; then open the invitation they send."})}),t.data?.myLinks.map(s=>e(Os,{link:s,onChange:t.reload},`${s.profileId}/${s.userId}`))]})}function Os(n){const{api:t}=P(),r=n.link,s=_s(r),[i,a]=g(""),[o,c]=g(null),[u,l]=g(""),h=`link-${r.profileId}-${r.userId}`.replace(/[^A-Za-z0-9_-]/g,"_"),b=async()=>{a("auth"),c(null);try{const f=await t.beginMyMailboxSignIn({profileId:r.profileId});window.location.assign(f.beginMyMailboxSignIn.url)}catch(f){c(H(f)),a("")}},d=async()=>{a("sync"),c(null),l("");try{await t.syncMyMailboxNow({profileId:r.profileId}),l("Your sync is queued and starts in a moment."),n.onChange()}catch(f){c(H(f))}finally{a("")}};return e("section",{class:"card","aria-labelledby":h,children:[e("h2",{id:h,children:r.profileName}),e("dl",{class:"facts",children:[e("dt",{children:"CRM"}),e("dd",{children:r.crm.name||r.crm.email||r.crm.id}),e("dt",{children:"Mailbox"}),e("dd",{children:r.mailbox.email||r.mailbox.id}),e("dt",{children:"State"}),e("dd",{class:s.tone==="ok"?void 0:"text-warn",children:[e("strong",{children:s.title}),r.status?.lastOk&&s.tone==="ok"?` (last success ${M(r.status.lastOk)})`:""]}),(r.status?.breakerReason||r.status?.lastError)&&e($,{children:[e("dt",{children:"Error"}),e("dd",{class:"wrap",children:[K(r.status?.lastError||r.status?.breakerReason||"")," ",r.status?.lastErrorAt&&e("span",{class:"muted",children:["(",M(r.status.lastErrorAt),")"]})]})]}),s.next&&e($,{children:[e("dt",{children:"What to do"}),e("dd",{children:s.next})]}),r.status?.nextRun&&e($,{children:[e("dt",{children:"Next sync"}),e("dd",{children:M(r.status.nextRun)})]}),r.openConflicts>0&&e($,{children:[e("dt",{children:"Conflicts"}),e("dd",{children:[r.openConflicts," item",r.openConflicts===1?" was":"s were"," changed in both places; your administrator reviews them."]})]})]}),e(L,{error:o,title:"That did not work"}),u&&e(F,{kind:"success",children:u}),e("div",{class:"card-actions portal-actions",children:[r.mailboxSignIn&&e(I,{variant:r.mailboxAuthorized?"secondary":"primary",busy:i==="auth",busyLabel:"Opening Microsoft sign-in…",onClick:b,children:r.mailboxAuthorized?"Authorize my mailbox again":"Authorize my mailbox"}),e(I,{busy:i==="sync",busyLabel:"Queuing…",onClick:d,children:"Sync now"})]}),e(Ms,{link:r,id:h}),e(Ds,{link:r,id:h}),e(Us,{link:r,id:h,onSaved:n.onChange})]})}function Ms(n){const t=n.link.recentRuns;return e($,{children:[e("h3",{id:`${n.id}-runs`,children:"Recent syncs"}),t.length===0?e("p",{class:"muted",children:"No sync has run yet."}):e("div",{class:"table-wrap",children:e("table",{"aria-labelledby":`${n.id}-runs`,children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Started"}),e("th",{scope:"col",children:"What"}),e("th",{scope:"col",children:"Outcome"}),e("th",{scope:"col",children:"Changes"})]})}),e("tbody",{children:t.map(r=>e("tr",{children:[e("td",{children:M(r.start)}),e("td",{children:ae[r.kind]??r.kind}),e("td",{class:r.error?"wrap text-warn":void 0,children:[Ps[r.status]??r.status,r.error?`: ${K(r.error)}`:""]}),e("td",{children:[r.counts.created," created, ",r.counts.updated," updated, ",r.counts.deleted," deleted",r.counts.errors>0?`, ${r.counts.errors} failed`:""]})]},r.id))})]})})]})}function Ds(n){const t=n.link.quarantine;return t.length===0?null:e($,{children:[e("h3",{children:"Items that cannot be synced"}),e("ul",{class:"checklist",children:t.map(r=>e("li",{children:[ae[r.kind]??r.kind," in your ",r.side==="CRM"?"CRM":"mailbox"," (",e("code",{children:r.itemId}),")",r.field?`, field ${r.field}`:"",": ",K(r.reason)]},`${r.side}/${r.itemId}`))})]})}function Us(n){const{api:t}=P(),r=n.link,[s,i]=g(()=>ks(r)),[a,o]=g({}),[c,u]=g(null),[l,h]=g(!1),[b,d]=g(!1),f=re(null),p=r.userMay,y=s.filters??{...r.defaults.filters},v=async S=>{S.preventDefault();const{input:A,errors:E}=Is(r,s);if(o(E),u(null),d(!1),!(Object.keys(E).length>0)){h(!0);try{await t.setMyPreferences({profileId:r.profileId,overrides:A}),d(!0),n.onSaved()}catch(q){const{fields:G,general:ie}=ue(q,["daysBack","daysAhead","filters","directions"]);o(G),u(ie)}finally{h(!1)}}},_=`${n.id}-prefs`,k=!p.directions&&!p.filters&&!p.window;return e("form",{ref:f,onSubmit:v,noValidate:!0,"aria-labelledby":_,children:[e("h3",{id:_,children:"Your preferences"}),k&&e("p",{class:"muted",children:"Your administrator decides every setting of this profile; the fields below show them."}),e(L,{error:c,title:"Your preferences were not saved"}),b&&e(F,{kind:"success",children:"Your preferences are saved; the next sync uses them."}),e("fieldset",{disabled:!p.window,children:[e("legend",{children:"Dates to sync"}),!p.window&&e("p",{class:"hint",children:gt}),e(un,{id:`${_}-back`,label:"Days back",value:s.daysBack,profile:r.defaults.daysBack,error:a.daysBack,onInput:S=>i({...s,daysBack:S})}),e(un,{id:`${_}-ahead`,label:"Days ahead",value:s.daysAhead,profile:r.defaults.daysAhead,error:a.daysAhead,onInput:S=>i({...s,daysAhead:S})})]}),e("fieldset",{disabled:!p.filters,children:[e("legend",{children:"What to leave out"}),!p.filters&&e("p",{class:"hint",children:gt}),a.filters&&e("p",{class:"field-error",children:a.filters}),Ns.map(([S,A])=>e("div",{class:"check",children:[e("input",{id:`${_}-${S}`,type:"checkbox",checked:y[S],onChange:E=>i({...s,filters:{...y,[S]:E.currentTarget.checked}})}),e("label",{for:`${_}-${S}`,children:A})]},S))]}),r.defaults.directions.length>0&&e("fieldset",{disabled:!p.directions,children:[e("legend",{children:"Directions"}),!p.directions&&e("p",{class:"hint",children:gt}),a.directions&&e("p",{class:"field-error",children:a.directions}),r.defaults.directions.map(S=>e("div",{class:"field",children:[e("label",{for:`${_}-dir-${S.kind}`,children:ae[S.kind]??S.kind}),e("select",{id:`${_}-dir-${S.kind}`,value:s.directions[S.kind]??"",onChange:A=>i({...s,directions:{...s.directions,[S.kind]:A.currentTarget.value}}),children:[e("option",{value:"",children:["The profile’s setting (",(dn[S.direction]??S.direction).toLowerCase(),")"]}),S.direction!=="OFF"&&e("option",{value:S.direction,children:dn[S.direction]}),e("option",{value:"OFF",children:"Off"})]})]},S.kind))]}),!k&&e(I,{type:"submit",variant:"primary",busy:l,busyLabel:"Saving…",children:"Save my preferences"})]})}function un(n){const t=`${n.id}-hint`,r=`${n.id}-err`;return e("div",{class:`field${n.error?" field-invalid":""}`,children:[e("label",{for:n.id,children:n.label}),e("p",{id:t,class:"hint",children:["Empty: the profile’s setting (",n.profile," days)."]}),e("input",{id:n.id,type:"text",inputMode:"numeric",value:n.value,placeholder:String(n.profile),"aria-invalid":n.error?"true":void 0,"aria-describedby":n.error?`${r} ${t}`:t,onInput:s=>n.onInput(s.currentTarget.value)}),n.error&&e("p",{id:r,class:"field-error",children:n.error})]})}function Fs(n){const{api:t,signedIn:r,viewer:s}=P(),[i,a]=g(!1),[o,c]=g(null),u=async()=>{a(!0),c(null);try{const l=await t.acceptPortalInvitation({token:n.token});r(l.acceptPortalInvitation.account),me("/portal",{replace:!0})}catch(l){c(H(l)),a(!1)}};return e("div",{class:"auth-layout",children:e("main",{id:"main",class:"auth-card",children:[e("p",{class:"brand","aria-hidden":"true",children:[e("span",{class:"brand-mark"})," Synchronizer"]}),e(j,{title:"Your invitation",intro:"Your administrator invited you to see how the sync of your CRM and your mailbox is doing, and to authorize your mailbox."}),s&&e(F,{kind:"warning",children:["You are signed in as ",s.email,". Continuing signs you in as the invited user instead."]}),e(L,{error:o,title:"The invitation could not be used",hints:{NOT_FOUND:"Ask your administrator to send you a new invitation.",CONFLICT:"Sign in with your e-mail address and password instead."}}),e("p",{children:"The link works once and for 7 days. You need no password; you can set one later under Your account."}),e(I,{variant:"primary",class:"btn-block",busy:i,busyLabel:"Signing you in…",onClick:u,children:"Continue to my portal"})]})})}const qs=["host","port","security","username","password","from","fromName"],Bs=[["STARTTLS","STARTTLS (usually port 587)"],["TLS","TLS from the start (usually port 465)"],["NONE","None (only for a relay on this machine)"]];function hn(n){return n==="TLS"?"465":n==="STARTTLS"?"587":"25"}function Gn(n){return n?{host:n.host,port:String(n.port),security:n.security,username:n.username,password:"",passwordSet:n.passwordSet,clearPassword:!1,from:n.from,fromName:n.fromName}:{host:"",port:"587",security:"STARTTLS",username:"",password:"",passwordSet:!1,clearPassword:!1,from:"",fromName:"Synchronizer"}}function Ws(n,t){const r=n.port.trim()===""||n.port.trim()===hn(n.security)?hn(t):n.port;return{...n,security:t,port:r}}const js=/^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;function Kn(n){return js.test(n.trim())}function Ys(n){const t={},r=n.host.trim();r?(/^[a-z]+:\/\//i.test(r)||/[\s/]/.test(r))&&(t.host="Enter only the host name, without https:// or a path."):t.host="Enter the SMTP server's host name, like smtp.example.com.";const s=Number(n.port.trim());(!/^\d+$/.test(n.port.trim())||s<1||s>65535)&&(t.port="Enter a port between 1 and 65535 (587 for STARTTLS, 465 for TLS).");const i=n.password!==""||n.passwordSet&&!n.clearPassword;return!n.username.trim()&&n.password!==""?t.username="Enter the user name that goes with the password.":!n.username.trim()&&i&&(t.username="Enter the user name, or remove the saved password."),n.security==="NONE"&&n.username.trim()&&!["localhost","127.0.0.1","::1"].includes(r)&&(t.security="A password is only sent over TLS: choose STARTTLS or TLS (None is for a relay on this machine)."),n.from.trim()?Kn(n.from)||(t.from="Write the sender as an address only, like sync@example.com."):t.from="Enter the address the mails come from, like sync@example.com.",/[\r\n]/.test(n.fromName)&&(t.fromName="The sender name must be on one line."),t}function Hs(n){const t={host:n.host.trim(),port:Number(n.port.trim()),security:n.security,username:n.username.trim(),from:n.from.trim(),fromName:n.fromName.trim()};return n.password!==""?t.password=n.password:n.clearPassword&&(t.password=""),t}function Vs(n){return n.password!==""?n.passwordSet?"The new password replaces the saved one when you save.":"The password is saved when you save.":n.passwordSet&&n.clearPassword?"The saved password is removed when you save.":n.passwordSet?"A password is set. It is never shown; leave the field empty to keep it, or type a new one.":"No password is set. Leave it empty if the server needs none."}function zs(n){return n.trim()?Kn(n)?"":"Enter one address, like you@example.com.":"Enter the address to send the test mail to."}const Je=["General","Systems","What to sync","Users","Review"];function Qn(n,t){return!!n.secretsSet?.includes(t.trim())&&n.instance.trim()===n.savedInstance}const Re={superoffice:{label:"SuperOffice CRM",side:"crm",settings:{mode:"online",baseUrl:"https://sod.superoffice.com/Cust12345/api/",loginUrl:"https://online.superoffice.com/login",contextIdentifier:"Cust12345",clientId:"",timeZone:"Europe/Oslo"},secrets:["partner_key","client_secret","system_token","password","ticket"]},msgraph:{label:"Microsoft 365 (Graph)",side:"mailbox",settings:{tenantId:"",clientId:""},secrets:["client-secret","client-certificate"]},dav:{label:"CalDAV / CardDAV",side:"mailbox",settings:{url:"https://dav.example.com/",username:""},secrets:[]}};function Et(n,t){const r=Re[n];return{type:n,instance:t,settings:JSON.stringify(r?.settings??{},null,2),secrets:[]}}function Jn(){return{id:"",name:"",crm:Et("superoffice","superoffice"),mailbox:Et("msgraph","m365"),directions:{APPOINTMENT:"TWO_WAY",TASK:"OFF",CONTACT:"OFF",GROUP:"OFF"},daysBack:"30",daysAhead:"120",skipPrivate:!1,skipAllDay:!1,skipFree:!1,skipRecurring:!1,policy:"NEWEST",onDelete:"UPDATE_WINS",pollSeconds:"300",guardDeletes:"10",guardDeletesPercent:"20",guardCreates:"50",guardCreatesPercent:"50",users:[]}}const bt=/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/,mn=/^[^\s@]+@[^\s@]+\.[^\s@]+$/;function Le(n,t,r){if(!/^\d+$/.test(n.trim()))return!1;const s=Number(n);return s>=t&&s<=r}function fn(n,t,r){const s=n.trim();if(!/^\d+(\.\d+)?$/.test(s))return!1;const i=Number(s);return i>=t&&i<=r}function Xn(n){if(!n.trim())return{value:{}};try{const t=JSON.parse(n);return!t||typeof t!="object"||Array.isArray(t)?{problem:'Enter a JSON object, like {"key": "value"}.'}:{value:t}}catch(t){return{problem:`This is not valid JSON (${t instanceof Error?t.message:String(t)}). Check quotes and commas.`}}}function Me(n,t){const r={};if(t===0&&(bt.test(n.id)||(r.id="Use letters, digits and . _ @ + - (at most 128), starting with a letter or digit."),n.name.trim()||(r.name="Give the profile a name people will recognise.")),t===1){for(const s of["crm","mailbox"]){const i=n[s];i.type||(r[`${s}.type`]="Choose the system."),bt.test(i.instance)||(r[`${s}.instance`]="Name this connection: letters, digits and . _ @ + -.");const a=Xn(i.settings);a.problem&&(r[`${s}.settings`]=a.problem),i.secrets.forEach((o,c)=>{o.name.trim()?!o.value&&!Qn(i,o.name)&&(r[`${s}.secrets.${c}`]="Enter the value, or remove the row."):r[`${s}.secrets.${c}`]="Name the secret (see the list under the field), or remove the row."})}!r["crm.instance"]&&n.crm.instance===n.mailbox.instance&&(r["mailbox.instance"]="The two systems need different connection names.")}if(t===2&&(Le(n.daysBack,0,3650)||(r.daysBack="Enter whole days between 0 and 3650."),Le(n.daysAhead,0,3650)||(r.daysAhead="Enter whole days between 0 and 3650."),Le(n.pollSeconds,30,86400)||(r.pollSeconds="Enter seconds between 30 and 86400."),Le(n.guardDeletes,0,1e6)||(r["guard.deletes.count"]="Enter a whole number of items."),fn(n.guardDeletesPercent,0,100)||(r["guard.deletes.percent"]="Enter a percentage between 0 and 100."),Le(n.guardCreates,0,1e6)||(r["guard.creates.count"]="Enter a whole number of items."),fn(n.guardCreatesPercent,0,100)||(r["guard.creates.percent"]="Enter a percentage between 0 and 100."),Object.values(n.directions).every(s=>s==="OFF")&&(r.directions="Choose at least one kind to sync.")),t===3){const s=new Set;n.users.forEach((i,a)=>{i.skip||(bt.test(i.id)?s.has(i.id)&&(r[`users.${a}.id`]=`The id ${i.id} is used twice.`):r[`users.${a}.id`]="Use letters, digits and . _ @ + - for the user id.",s.add(i.id),i.crmId.trim()||(r[`users.${a}.crm.id`]="Enter the CRM account id (the associate id in SuperOffice)."),i.crmEmail&&!mn.test(i.crmEmail)&&(r[`users.${a}.crm.email`]="This is not an e-mail address."),!i.mailboxId.trim()&&!mn.test(i.mailboxEmail)&&(r[`users.${a}.mailbox.email`]="Enter the mailbox e-mail address (or its id)."))})}return r}function Zn(n){const t=Xe,r=n.saved?.guard??{profileDeletes:200,profileCreates:1e3,profileWindowSeconds:3600,guardFirstSync:!1};return{id:n.id.trim(),name:n.name.trim(),crm:t(n.crm),mailbox:t(n.mailbox),directions:Object.keys(n.directions).map(s=>({kind:s,direction:n.directions[s]})),daysBack:Number(n.daysBack),daysAhead:Number(n.daysAhead),filters:{skipPrivate:n.skipPrivate,skipAllDay:n.skipAllDay,skipFree:n.skipFree,skipRecurring:n.skipRecurring},policy:n.policy,onDelete:n.onDelete,pollSeconds:Number(n.pollSeconds),guard:{deletes:{count:Number(n.guardDeletes),percent:Number(n.guardDeletesPercent)},creates:{count:Number(n.guardCreates),percent:Number(n.guardCreatesPercent)},profileDeletes:r.profileDeletes,profileCreates:r.profileCreates,profileWindowSeconds:r.profileWindowSeconds,guardFirstSync:r.guardFirstSync},...n.saved?{userMay:n.saved.userMay}:{}}}function Xe(n){return{type:n.type,instance:n.instance.trim(),settings:JSON.stringify(Xn(n.settings).value??{})}}function vt(n){return n.secrets.filter(t=>t.name.trim()&&t.value).map(t=>({name:t.name.trim(),value:t.value}))}function Gs(n){return n.users.filter(t=>!t.skip).map(t=>({profileId:n.id.trim(),id:t.id.trim(),crm:{id:t.crmId.trim(),email:t.crmEmail.trim()||void 0,name:t.crmName?.trim()||void 0},mailbox:{id:t.mailboxId.trim()||void 0,email:t.mailboxEmail.trim()||void 0,name:t.mailboxName?.trim()||void 0}}))}const Fe="id,crmId,crmEmail,mailboxId,mailboxEmail";function Ks(n){return/[",\n\r]/.test(n)?`"${n.replace(/"/g,'""')}"`:n}function Qs(n){return[Fe,...n.map(t=>[t.id,t.crmId,t.crmEmail,t.mailboxId,t.mailboxEmail].map(Ks).join(","))].join(`
`)+`
`}function pn(n){const t=[];let r="",s=!1;for(let i=0;i<n.length;i++){const a=n[i];s?a==='"'&&n[i+1]==='"'?(r+='"',i++):a==='"'?s=!1:r+=a:a==='"'?s=!0:a===","?(t.push(r),r=""):r+=a}return t.push(r),t.map(i=>i.trim())}function Js(n){const t=n.split(/\r?\n/).map((c,u)=>({l:c,n:u+1})).filter(c=>c.l.trim()!==""),r=[],s=[];let i=Fe.split(",");const a=Fe.split(","),o=c=>a.some(u=>u.toLowerCase()===c.toLowerCase());if(t.length>0){const c=pn(t[0].l),u=c.filter(o).length;if(u>0&&u*2>=c.length){t.shift();const l=c.filter(h=>!o(h));l.length&&s.push(`Line 1: unknown columns ${l.join(", ")}; use ${Fe}.`),i=c.map(h=>a.find(b=>b.toLowerCase()===h.toLowerCase())??h)}}for(const{l:c,n:u}of t){const l=pn(c);if(l.length>i.length){s.push(`Line ${u}: ${l.length} values, but there are ${i.length} columns (${i.join(",")}).`);continue}const h=d=>l[i.indexOf(d)]??"",b={id:h("id"),crmId:h("crmId"),crmEmail:h("crmEmail"),mailboxId:h("mailboxId"),mailboxEmail:h("mailboxEmail")};if(!b.id&&b.crmEmail&&(b.id=b.crmEmail.split("@")[0].replace(/[^A-Za-z0-9._@+-]/g,"")),!b.id||!b.crmId){s.push(`Line ${u}: needs at least an id (or a CRM e-mail) and a CRM id.`);continue}r.push(b)}return{users:r,errors:s}}function Xs(n,t){const r=(n??"").replace(/^input\./,"");if(t!==void 0){const s=r==="crm.id"||r==="crm.email"||r==="mailbox.email"||r==="id"?r:r.startsWith("mailbox")?"mailbox.email":"id";return{step:3,key:`users.${t}.${s}`}}if(r==="id"||r==="name")return{step:0,key:r};if(r.startsWith("crm")||r.startsWith("mailbox")||r==="type"){const s=r.startsWith("mailbox")?"mailbox":"crm",i=r.slice(s.length+1);return{step:1,key:i==="instance"||i==="type"?`${s}.${i}`:`${s}.settings`}}return r.startsWith("directions")?{step:2,key:"directions"}:r.startsWith("guard.deletes")?{step:2,key:"guard.deletes.count"}:r.startsWith("guard.creates")?{step:2,key:"guard.creates.count"}:["daysBack","daysAhead","pollSeconds","policy","onDelete"].includes(r)?{step:2,key:r}:r?{step:1,key:"crm.settings"}:{step:4,key:""}}function Zs(n,t={crm:[],mailbox:[]}){const r=Jn(),s=(o,c)=>{let u=o.settings;try{u=JSON.stringify(JSON.parse(o.settings),null,2)}catch{}return{type:o.type,instance:o.instance,settings:u,secretFields:o.secretFields,secretsSet:c,savedInstance:o.instance,secrets:c.map(l=>({name:l,value:""}))}},i={...r.directions};for(const o of Object.keys(i))i[o]="OFF";for(const o of n.directions)i[o.kind]=o.direction;const a=n.users.map(o=>({id:o.id,crmId:o.crm.id,crmEmail:o.crm.email,mailboxId:o.mailbox.id,mailboxEmail:o.mailbox.email,crmName:o.crm.name,mailboxName:o.mailbox.name}));return{...r,id:n.id,name:n.name,crm:s(n.crm,t.crm),mailbox:s(n.mailbox,t.mailbox),directions:i,daysBack:String(n.daysBack),daysAhead:String(n.daysAhead),skipPrivate:n.filters.skipPrivate,skipAllDay:n.filters.skipAllDay,skipFree:n.filters.skipFree,skipRecurring:n.filters.skipRecurring,policy:n.policy,onDelete:n.onDelete,pollSeconds:String(n.pollSeconds),guardDeletes:String(n.guard.deletes.count),guardDeletesPercent:String(n.guard.deletes.percent),guardCreates:String(n.guard.creates.count),guardCreatesPercent:String(n.guard.creates.percent),users:a,saved:{users:a.map(o=>({...o})),guard:{profileDeletes:n.guard.profileDeletes,profileCreates:n.guard.profileCreates,profileWindowSeconds:n.guard.profileWindowSeconds,guardFirstSync:n.guard.guardFirstSync},userMay:{...n.userMay}}}}function ea(n,t){let r=(n.split("@")[0]??"").replace(/[^A-Za-z0-9._@+-]/g,"").replace(/^[^A-Za-z0-9]+/,"").slice(0,120)||"user";r=r.toLowerCase();let s=r;for(let i=2;t.has(s);i++)s=`${r}-${i}`;return t.add(s),s}const ta={EMAIL:"same e-mail",ALIAS:"alias"};function na(n,t){const r=new Set(n.map(o=>o.id)),s=new Set(n.map(o=>o.crmId)),i=[...n];let a=0;for(const o of t)s.has(o.crm.id)||(s.add(o.crm.id),i.push({id:ea(o.crm.email||o.mailbox.email,r),crmId:o.crm.id,crmEmail:o.crm.email,mailboxId:o.mailbox.id,mailboxEmail:o.mailbox.email,crmName:o.crm.name,mailboxName:o.mailbox.name,match:`${ta[o.matchedBy]??o.matchedBy}: ${o.address}`}),a++);return{users:i,added:a}}function ra(n,t){const r=t.filter(u=>!u.skip),s=new Map(n.map(u=>[u.id,u])),i=(u,l)=>u.crmId.trim()===l.crmId.trim()&&u.crmEmail.trim()===l.crmEmail.trim()&&u.mailboxId.trim()===l.mailboxId.trim()&&u.mailboxEmail.trim()===l.mailboxEmail.trim(),a=r.filter(u=>{const l=s.get(u.id.trim());return!l||!i(l,u)}),o=new Set(r.map(u=>u.id.trim())),c=n.map(u=>u.id).filter(u=>!o.has(u));return{link:a,unlink:c}}const er=`
  fragment SyncPreviewFields on SyncPreview {
    profileId
    userId
    saved
    paused
    truncated
    totalOperations
    tookMs
    kinds {
      kind
      direction
      firstSync
      linked
      listed
      crm {
        creates
        updates
        deletes
      }
      mailbox {
        creates
        updates
        deletes
      }
      unchanged
      conflicts
      conflictList {
        crmId
        mailboxId
        title
        fields
        kept
      }
      skipped
      skips {
        decision
        reason
        count
      }
      bad {
        side
        itemId
        field
        reason
      }
      badCount
      stillQuarantined
      guard
      pendingWrites
      busy
      incomplete
      tookMs
    }
    operations {
      kind
      side
      action
      linkId
      itemId
      sourceId
      title
      start
      reason
    }
  }
`,ia=`
  mutation PreviewSync($profile: ProfileInput!, $crm: SyncAccountInput!, $mailbox: SyncAccountInput!) {
    previewSync(profile: $profile, crm: $crm, mailbox: $mailbox) {
      ...SyncPreviewFields
    }
  }
  ${er}
`,sa=`
  mutation PreviewUserSync($profileId: ID!, $userId: ID!) {
    previewUserSync(profileId: $profileId, userId: $userId) {
      ...SyncPreviewFields
    }
  }
  ${er}
`;function aa(n,t){return n.request(ia,t)}function oa(n,t){return n.request(sa,t)}function tr(n){return{crmId:n.crmId.trim(),mailboxId:n.mailboxId.trim(),mailboxEmail:(n.mailboxEmail||n.crmEmail).trim()}}function la(n,t){const r=tr(n);return`${n.id.trim()||`User ${t+1}`} (${r.crmId||"no CRM id"} ⇄ ${r.mailboxEmail||r.mailboxId||"no mailbox"})`}function ca(n){const t={};return n.crmId||(t.crmId="Enter the CRM account id."),!n.mailboxEmail&&!n.mailboxId?t.mailboxEmail="Enter the mailbox e-mail address.":n.mailboxEmail&&!/^[^\s@]+@[^\s@]+$/.test(n.mailboxEmail)&&(t.mailboxEmail="Enter an e-mail address like name@example.com."),t}function da(n){return{crm:{id:n.crmId},mailbox:{id:n.mailboxId||void 0,email:n.mailboxEmail||void 0}}}function ua(n){const t=[];for(const r of["crm","mailbox"]){const s=n[r].secrets.filter(i=>i.name.trim()&&i.value);s.length&&t.push({instance:n[r].instance.trim(),secrets:s.map(i=>({name:i.name.trim(),value:i.value}))})}return t}function Ae(n,t,r=t+"s"){return`${n} ${n===1?t:r}`}function yn(n){const t=[n.creates&&`${n.creates} to create`,n.updates&&`${n.updates} to update`,n.deletes&&`${n.deletes} to delete`].filter(Boolean);return t.length?t.join(", "):"nothing"}function nr(n){const t={creates:0,updates:0,deletes:0,conflicts:0,bad:0,skipped:0};for(const r of n.kinds)t.creates+=r.crm.creates+r.mailbox.creates,t.updates+=r.crm.updates+r.mailbox.updates,t.deletes+=r.crm.deletes+r.mailbox.deletes,t.conflicts+=r.conflicts,t.bad+=r.badCount,t.skipped+=r.skipped;return t}function ha(n){const t=nr(n),r=t.creates+t.updates+t.deletes,s=n.saved?"The next sync":"The first sync";if(r===0&&t.conflicts===0&&t.bad===0)return`${s} would change nothing.`;const i=[t.creates&&Ae(t.creates,"create"),t.updates&&Ae(t.updates,"update"),t.deletes&&Ae(t.deletes,"delete")].filter(Boolean);let a=`${s} would make ${i.length?i.join(", "):"no write"}`;return t.conflicts&&(a+=`, record ${Ae(t.conflicts,"conflict")}`),t.bad&&(a+=` and set ${Ae(t.bad,"item")} aside (quarantine)`),a+"."}function ma(n,t){const r=[];n.paused&&r.push("The profile or this user is paused: scheduled syncs do not run until resumed.");for(const s of n.kinds){const i=t(s.kind);s.guard&&r.push(`${i}: the mass-change guard would hold this run for your approval — ${s.guard}.`),s.pendingWrites&&r.push(`${i}: ${Ae(s.pendingWrites,"interrupted write")} will be settled first; the preview does not include them.`),s.busy&&r.push(`${i}: a sync of this user was running while the preview read its state; preview again for a settled picture.`),s.incomplete&&r.push(`${i}: ${s.incomplete}.`)}return r}const fa={create:"Create",update:"Update",delete:"Delete"};function pa(n,t,r){return{title:n.title?.trim()||n.itemId||n.sourceId||"(untitled)",start:n.start?r(n.start):"—",where:`${n.side==="CRM"?"CRM":"Mailbox"} · ${t(n.kind)}`,action:fa[n.action]??n.action,reason:n.reason??""}}function ya(n){const t=n.all[0]?.extensions?.code;return typeof t=="string"&&t?t:n.code}function ga(n){switch(ya(n)){case"REMOTE_AUTH":return{title:"A system refused the credentials",hint:"Check the secrets on the Systems step (or sign in with the system again), and that the account may read this user’s data; then preview again."};case"REMOTE_FAILED":return{title:"A system could not be read",hint:"Check the system’s address and settings on the Systems step and that it is reachable from the appliance; then preview again."};case"PREVIEW_TOO_LARGE":return{title:"Too many items to preview",hint:"Narrow the window (days back and ahead) or preview a user with fewer items."};case"BAD_USER_INPUT":return{title:"Something in the profile is not valid yet",hint:n.field?`Correct “${n.field}” and preview again.`:"Correct the value and preview again."};case"NOT_FOUND":return{title:"The user or profile no longer exists",hint:"Reload the page to see the current state."};default:return{title:"The preview did not run",hint:n.hint}}}const Oe=n=>ae[n]??n,Se="other";function rr(){const[n,t]=g(""),[r,s]=g(0),[i,a]=g(null),[o,c]=g(null);return ne(()=>{if(!n)return;s(0);const l=setInterval(()=>s(h=>h+1),1e3);return()=>clearInterval(l)},[n!==""]),{phase:n,seconds:r,result:i,error:o,run:async l=>{c(null),a(null),t("Starting…");try{a(await l(t))}catch(h){c(H(h))}finally{t("")}}}}function ba(n){const{api:t}=P(),r=n.draft,s=ke(),[i,a]=g(r.users.length?"0":Se),o=i!==Se&&Number(i)<r.users.length?i:Se,[c,u]=g(""),[l,h]=g(""),[b,d]=g({}),[f,p]=g(""),y=rr(),v=o!==Se&&r.users[Number(o)],_=v?tr(v):{crmId:c.trim(),mailboxId:"",mailboxEmail:l.trim()},k=ua(r),S=()=>{for(let E=0;E<3;E++)if(Object.keys(Me(r,E)).length){p(`Complete the step “${Je[E]}” first: the preview needs a valid profile.`);return}p("");const A=ca(_);if(d(v?{}:A),Object.keys(A).length){v&&p(`That user row is incomplete: ${Object.values(A).join(" ")} Fix it on the Users step, or type the accounts.`);return}y.run(async E=>{for(const G of k)E("Storing the secrets you typed (write-only), so the systems can be reached…"),await t.setSystemSecrets({instance:G.instance,secrets:G.secrets});return E("Reading both systems and planning the sync (nothing is written)…"),(await aa(t.client,{profile:Zn(r),...da(_)})).previewSync})};return e("section",{class:"card subpanel","aria-labelledby":`${s}-h`,children:[e("h3",{id:`${s}-h`,children:"Preview the first sync"}),e("p",{class:"hint",children:["See what the first sync of one user would do with these settings before anything is saved: it reads both systems and writes nothing.",k.length>0&&" The secrets you typed are stored first (write-only) so the systems can be reached; creating the profile stores them again."]}),e("div",{class:"form-row",children:[e("div",{class:"field",children:[e("label",{for:s,children:"User to preview"}),e("select",{id:s,value:o,onChange:A=>a(A.currentTarget.value),children:[r.users.map((A,E)=>e("option",{value:String(E),children:la(A,E)},E)),e("option",{value:Se,children:"Another account (type it)"})]})]}),o===Se&&e($,{children:[e(R,{label:"CRM account id",value:c,onInput:u,error:b.crmId}),e(R,{label:"Mailbox e-mail",inputMode:"email",value:l,onInput:h,error:b.mailboxEmail})]})]}),e("div",{class:"form-actions",children:e(I,{variant:"secondary",onClick:S,busy:y.phase!=="",busyLabel:"Previewing…",children:"Preview"})}),f&&e("p",{class:"field-error",role:"alert",children:f}),e(ir,{running:y})]})}function va(n){const{api:t}=P(),r=rr();return e("section",{class:"card","aria-labelledby":"preview-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"preview-h",children:"Preview"}),e("div",{class:"card-actions",children:e(I,{onClick:()=>r.run(async i=>(i("Reading both systems and planning the next sync (nothing is written)…"),(await oa(t.client,{profileId:n.profileId,userId:n.userId})).previewUserSync)),busy:r.phase!=="",busyLabel:"Previewing…",children:"Preview next sync"})})]}),e("p",{class:"hint",children:"What the next sync of this user would do, from their current state. It reads both systems and writes nothing."}),e(ir,{running:r})]})}function ir(n){const{phase:t,seconds:r,result:s,error:i}=n.running;return e("div",{"aria-live":"polite",children:[t&&e("p",{class:"loading",role:"status",children:[e(Lt,{})," ",t," ",r>0&&e("span",{class:"muted",children:["(",r," s)"]})]}),i&&e(wa,{error:i}),s&&e(_a,{p:s})]})}function wa(n){const t=ga(n.error);return e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:t.title}),e("p",{class:"wrap",children:K(n.error.message)}),e("p",{class:"alert-hint",children:t.hint})]})}function _a(n){const t=n.p,r=ma(t,Oe),s=nr(t);return e("div",{children:[e("p",{children:[e("strong",{children:ha(t)})," ",e("span",{class:"muted",children:["(",(t.tookMs/1e3).toFixed(1)," s)"]})]}),r.length>0&&e("div",{class:"alert alert-warning",role:"alert",children:[e("p",{class:"alert-title",children:"Before you rely on this"}),e("ul",{children:r.map(i=>e("li",{children:i},i))})]}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Preview counts per kind",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Kind"}),e("th",{scope:"col",children:"In the CRM"}),e("th",{scope:"col",children:"In the mailbox"}),e("th",{scope:"col",children:"Unchanged"}),e("th",{scope:"col",children:"Conflicts"}),e("th",{scope:"col",children:"Skipped"}),e("th",{scope:"col",children:"Set aside"})]})}),e("tbody",{children:t.kinds.map(i=>e("tr",{class:i.guard?"row-warn":void 0,children:[e("th",{scope:"row",children:[Oe(i.kind),i.firstSync&&e("div",{class:"muted",children:"first sync"})]}),e("td",{children:yn(i.crm)}),e("td",{children:yn(i.mailbox)}),e("td",{children:i.unchanged}),e("td",{children:i.conflicts}),e("td",{children:i.skipped}),e("td",{children:i.badCount})]},i.kind))})]})}),s.skipped>0&&e("details",{children:[e("summary",{children:"Why items are skipped"}),e("ul",{children:t.kinds.flatMap(i=>i.skips.map(a=>e("li",{children:[Oe(i.kind),": ",a.count," × ",K(a.reason)]},i.kind+a.decision+a.reason)))})]}),s.bad>0&&e("details",{open:!0,children:[e("summary",{children:"Items that would be set aside (quarantine)"}),e("ul",{children:t.kinds.flatMap(i=>i.bad.map(a=>e("li",{children:[Oe(i.kind),", ",a.side==="CRM"?"CRM":"mailbox"," item ",e("span",{class:"code-name inline",children:a.itemId}),a.field&&e($,{children:[", field ",e("strong",{children:a.field})]}),": ",K(a.reason)]},i.kind+a.side+a.itemId)))}),e("p",{class:"hint",children:"Fix these items in their system (or the settings that refuse them); the rest syncs without them."})]}),s.conflicts>0&&e("details",{children:[e("summary",{children:"Conflicts that would be recorded"}),e("ul",{children:t.kinds.flatMap(i=>i.conflictList.map(a=>e("li",{children:[a.title||a.crmId,": ",a.fields.join(", ")," changed on both sides; the ",a.kept==="CRM"?"CRM":"mailbox"," value is kept."]},i.kind+a.crmId+a.mailboxId)))})]}),t.operations.length>0&&e($,{children:[e("h4",{children:["Operations",t.truncated?` (the first ${t.operations.length} of ${t.totalOperations})`:""]}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Operations the sync would make",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Item"}),e("th",{scope:"col",children:"Starts"}),e("th",{scope:"col",children:"Where"}),e("th",{scope:"col",children:"Action"}),e("th",{scope:"col",children:"Why"})]})}),e("tbody",{children:t.operations.map((i,a)=>{const o=pa(i,Oe,c=>M(c));return e("tr",{children:[e("td",{class:"wrap",children:o.title}),e("td",{class:"when",children:o.start}),e("td",{children:o.where}),e("td",{children:o.action}),e("td",{class:"wrap",children:o.reason})]},a)})})]})})]})]})}const gn=[["TWO_WAY","Both ways"],["CRM_TO_MAILBOX","CRM → mailbox only"],["MAILBOX_TO_CRM","Mailbox → CRM only"],["OFF","Off"]];function De(n){const t=ke();return e("div",{class:`field${n.error?" field-invalid":""}`,children:[e("label",{for:t,children:n.label}),n.hint&&e("p",{class:"hint",id:`${t}-hint`,children:n.hint}),e("select",{id:t,value:n.value,onChange:r=>n.onChange(r.currentTarget.value),"aria-invalid":n.error?"true":void 0,"aria-describedby":[n.error?`${t}-err`:"",n.hint?`${t}-hint`:""].filter(Boolean).join(" ")||void 0,children:n.options.map(([r,s])=>e("option",{value:r,children:s},r))}),n.error&&e("p",{class:"field-error",id:`${t}-err`,children:n.error})]})}function bn(n){const t=ke();return e("div",{class:`field${n.error?" field-invalid":""}`,children:[e("label",{for:t,children:n.label}),n.hint&&e("p",{class:"hint",id:`${t}-hint`,children:n.hint}),e("textarea",{id:t,rows:n.rows??6,value:n.value,onInput:r=>n.onInput(r.currentTarget.value),"aria-invalid":n.error?"true":void 0,"aria-describedby":[n.error?`${t}-err`:"",n.hint?`${t}-hint`:""].filter(Boolean).join(" ")||void 0,spellcheck:!1}),n.error&&e("p",{class:"field-error",id:`${t}-err`,children:n.error})]})}function Ee(n){const t=ke();return e("div",{class:"check",children:[e("input",{id:t,type:"checkbox",checked:n.checked,onChange:r=>n.onChange(r.currentTarget.checked)}),e("label",{for:t,children:n.label})]})}function ka(n){const t=ke(),[r,s]=g("");return e("div",{class:"field",children:[e("label",{for:t,children:n.label}),e("p",{class:"hint",id:`${t}-hint`,children:"For keys and certificates (PEM): their line breaks are kept."}),e("input",{id:t,type:"file","aria-describedby":`${t}-hint ${t}-note`,onChange:async i=>{const a=i.currentTarget.files?.[0];if(a){if(a.size>64*1024){s(`${a.name} is larger than 64 KB; choose the key or certificate file itself.`);return}try{n.onLoad(await a.text()),s(`Loaded ${a.name} (${a.size} bytes).`)}catch{s(`Could not read ${a.name}; check the file and choose it again.`)}}}}),e("p",{class:"hint",id:`${t}-note`,role:"status",children:r||(n.loaded?"A multi-line value is loaded.":"")})]})}const He={phase:"",report:null,error:null},Ce=["crm","mailbox"],ge={crm:"CRM",mailbox:"Mailboxes"};function vn(n={}){const{api:t}=P(),r=at(()=>Hn(t),[t]),s=!!n.editId,[i,a]=g(Jn),[o,c]=g(null),[u,l]=g(!s),[h,b]=g(0),[d,f]=g(0),[p,y]=g({}),[v,_]=g(null),[k,S]=g([]),[A,E]=g(!1),[q,G]=g(!1),[ie,le]=g(""),[J,ce]=g([]),[pe,Ut]=g({crm:He,mailbox:He}),[Ie,dt]=g({busy:!1,error:null,result:null,added:0}),[We,ut]=g(null),ht=re(null),Y=m=>a(w=>({...w,...m})),ye=(m,w)=>{a(C=>({...C,[m]:{...C[m],...w}})),Ut(C=>({...C,[m]:He}))},sr=Intl.DateTimeFormat().resolvedOptions().timeZone;ne(()=>{if(!n.editId)return;let m=!0;return c(null),(async()=>{try{const C=(await r.editProfile({id:n.editId})).syncProfile;if(!C)throw new Z("NOT_FOUND",`There is no profile “${n.editId}”; it may have been deleted.`);const D=T=>Re[T]?.secrets??[],[x,N]=await Promise.all([D(C.crm.type).length?r.secretsSet({instance:C.crm.instance,names:D(C.crm.type)}):{systemSecretsSet:[]},D(C.mailbox.type).length?r.secretsSet({instance:C.mailbox.instance,names:D(C.mailbox.type)}):{systemSecretsSet:[]}]);if(!m)return;a(Zs(C,{crm:x.systemSecretsSet,mailbox:N.systemSecretsSet})),l(!0)}catch(w){m&&c(H(w))}})(),()=>{m=!1}},[n.editId,h]),ne(()=>{(ht.current?.querySelector('[aria-invalid="true"]')??ht.current?.querySelector("h2"))?.focus()},[d,p]);const ar=()=>{const m=Me(i,d);y(m),Object.keys(m).length===0&&f(d+1)},Ft=m=>{for(let w=0;w<m;w++){const C=Me(i,w);if(Object.keys(C).length){y(C),f(w);return}}y({}),f(m)},je=async m=>{const w=vt(i[m]);w.length&&await t.setSystemSecrets({instance:i[m].instance.trim(),secrets:w})},qt=async m=>{const w=Object.fromEntries(Object.entries(Me(i,1)).filter(([D])=>D.startsWith(m+".")));if(Object.keys(w).length)return y(w),!1;Object.keys(p).some(D=>D.startsWith(m+"."))&&y(D=>Object.fromEntries(Object.entries(D).filter(([x])=>!x.startsWith(m+"."))));const C=D=>Ut(x=>({...x,[m]:D}));C({phase:"secrets",report:null,error:null});try{await je(m),C({phase:"testing",report:null,error:null});const D=await r.testSystem({system:Xe(i[m]),profileId:s?i.id:void 0});return C({phase:"",report:D.testSystem,error:null}),D.testSystem.ok}catch(D){const x=H(D),N=x.field??"";if(x.code==="BAD_USER_INPUT"&&N.startsWith("system.")){const T=N.slice(7),B=T==="instance"||T==="type"?`${m}.${T}`:`${m}.settings`;return y(X=>({...X,[B]:K(x.message.startsWith(N+":")?x.message.slice(N.length+1).trim():x.message)})),C(He),!1}return C({phase:"",report:null,error:x}),!1}},Bt=()=>Promise.all(Ce.map(m=>qt(m)));ne(()=>{d===4&&u&&Ce.some(m=>!pe[m].report&&!pe[m].phase&&!pe[m].error)&&Bt()},[d]);const or=async()=>{dt({busy:!0,error:null,result:null,added:0});try{await je("crm"),await je("mailbox");const m=await r.suggestLinks({crm:Xe(i.crm),mailbox:Xe(i.mailbox),profileId:s?i.id:void 0}),w=na(i.users,m.suggestLinks.pairs);Y({users:w.users}),dt({busy:!1,error:null,result:m.suggestLinks,added:w.added})}catch(m){dt({busy:!1,error:H(m),result:null,added:0})}},Wt=async m=>{for(let T=0;T<4;T++){const B=Me(i,T);if(Object.keys(B).length){y(B),f(T);return}}const w=i.saved?ra(i.saved.users,i.users):{link:i.users.filter(T=>!T.skip),unlink:[]};if(w.unlink.length&&!m){ut(w.unlink);return}const C=Gs({...i,users:w.link}),D=[{label:"Storing the secrets (write-only)",state:"waiting"},{label:"Saving the profile",state:"waiting"},...C.map(T=>({label:`Linking ${T.id}`,state:"waiting"})),...w.unlink.map(T=>({label:`Unlinking ${T}`,state:"waiting"}))];S(D),E(!0),_(null);const x=(T,B)=>{D[T]={...D[T],state:B},S([...D])};let N=0;try{x(0,"running");for(const T of Ce)await je(T);x(0,"done"),N=1,x(1,"running"),await t.saveProfile({input:Zn(i)}),x(1,"done");for(let T=0;T<C.length;T++)N=2+T,x(N,"running"),await t.linkUser({input:C[T]}),x(N,"done");for(let T=0;T<w.unlink.length;T++)N=2+C.length+T,x(N,"running"),await r.unlinkUser({profileId:i.id.trim(),userId:w.unlink[T]}),x(N,"done");G(!0)}catch(T){x(N,"failed");const B=H(T);if(B.code==="BAD_USER_INPUT"&&B.field&&N<2+C.length){const X=N>=2?i.users.findIndex(cr=>cr.id.trim()===C[N-2].id):-1,he=Xs(B.field,N>=2?X:void 0);if(he.key){y({[he.key]:K(B.field&&B.message.startsWith(B.field+":")?B.message.slice(B.field.length+1):B.message)}),f(he.step),E(!1);return}}_(B)}E(!1)},jt=e("p",{class:"breadcrumb",children:[e(O,{href:"/profiles",children:"Profiles"})," ",e("span",{"aria-hidden":"true",children:"›"})," ",s?`Edit ${n.editId}`:"New profile"]});if(s&&!u)return e($,{children:[jt,e(j,{title:"Edit sync profile"}),o?e(oe,{error:o,what:"the profile",onRetry:()=>b(m=>m+1)}):e(V,{label:"Loading the profile…"})]});if(q){const m=encodeURIComponent(i.id.trim()),w=i.users.filter(C=>!C.skip).length;return e($,{children:[e(j,{title:s?"Profile saved":"Profile created"}),e(F,{kind:"success",children:s?`“${i.name}” is saved; the scheduler follows the changes at once.`:`“${i.name}” is saved and active${w?` and ${w} users are linked; their first sync is scheduled now`:""}.`}),e("p",{children:[e(O,{href:`/profiles/${m}`,children:"Open the profile"})," to sign in to its systems where they need it ·"," ",e(O,{href:`/profiles/${m}/checks`,children:"Run the checks"})," · ",e(O,{href:"/users",children:"Watch the users sync"})]})]})}const lr=m=>{const w=pe[m];return e("div",{class:"system-test",children:[e(I,{onClick:()=>qt(m),busy:!!w.phase,busyLabel:w.phase==="secrets"?"Storing the secrets…":"Testing the connection…",disabled:A,children:"Test connection"}),e("div",{class:"system-test-result",role:"status","aria-live":"polite",children:[w.phase&&e(V,{label:w.phase==="secrets"?`${ge[m]}: storing the secrets…`:`${ge[m]}: testing the connection…`}),w.report&&e(nt,{title:ge[m],report:w.report})]}),e(L,{error:w.error,title:"The test did not run"})]})},Yt=m=>{const w=i[m],C=Object.entries(Re).filter(([,x])=>x.side===m),D=Re[w.type]?.secrets??[];return e("fieldset",{class:"wizard-system",children:[e("legend",{children:ge[m]}),e(De,{label:"System",value:w.type,options:C.map(([x,N])=>[x,N.label]),onChange:x=>ye(m,{...Et(x,w.instance),instance:w.instance}),error:p[`${m}.type`]}),e(R,{label:"Connection name",value:w.instance,onInput:x=>ye(m,{instance:x}),hint:"Profiles that name the same connection share its sign-in and its rate limits.",error:p[`${m}.instance`],required:!0}),e(bn,{label:"Settings (JSON)",value:w.settings,onInput:x=>ye(m,{settings:x}),hint:w.secretFields?.length?`Secret settings set: ${w.secretFields.join(", ")} (not shown); leave them out to keep them.`:"Start from the template; docs/connectors names every setting.",error:p[`${m}.settings`],rows:7}),e("p",{class:"hint",children:["Secrets are write-only: they are stored encrypted and never shown again.",D.length?` This system uses: ${D.join(", ")}.`:""]}),w.secrets.map((x,N)=>{const T=Qn(w,x.name);return e("div",{class:"secret-edit",children:[e(R,{label:`Secret ${N+1} name`,value:x.name,onInput:B=>ye(m,{secrets:w.secrets.map((X,he)=>he===N?{...X,name:B}:X)}),error:p[`${m}.secrets.${N}`]}),e(R,{label:`Secret ${N+1} value`,type:"password",autoComplete:"new-password",value:x.value,hint:T?"Set — leave empty to keep it.":void 0,onInput:B=>ye(m,{secrets:w.secrets.map((X,he)=>he===N?{...X,value:B}:X)})}),e(ka,{label:`Secret ${N+1} from a file`,loaded:x.value.includes(`
`),onLoad:B=>ye(m,{secrets:w.secrets.map((X,he)=>he===N?{...X,value:B}:X)})}),e(I,{variant:"ghost",onClick:()=>ye(m,{secrets:w.secrets.filter((B,X)=>X!==N)}),children:["Remove secret ",N+1]})]},N)}),e(I,{onClick:()=>ye(m,{secrets:[...w.secrets,{name:D.find(x=>!w.secrets.some(N=>N.name===x))??"",value:""}]}),children:"Add a secret"}),lr(m)]})},Ne=(m,w)=>Y({users:i.users.map((C,D)=>D===m?{...C,...w}:C)}),ee=Ie.result;return e($,{children:[jt,e(j,{title:s?`Edit “${i.name||n.editId}”`:"New sync profile",intro:s?"Change what you need; nothing is saved until you save on the last step.":"Five short steps; nothing is saved until you create the profile on the last one."}),e("ol",{class:"steps","aria-label":"Steps",children:Je.map((m,w)=>e("li",{class:w===d?"current":w<d?"done":void 0,children:e("button",{type:"button",class:"step-link","aria-current":w===d?"step":void 0,onClick:()=>Ft(w),disabled:A,children:[e("span",{class:"step-n",children:w+1})," ",m]})},m))}),e("section",{class:"card",ref:ht,"aria-labelledby":"step-h",children:[e("h2",{id:"step-h",tabIndex:-1,children:[d+1,". ",Je[d]]}),d===0&&e($,{children:[e(R,{label:"Profile id",value:i.id,onInput:m=>Y({id:m}),hint:s?"The id of a saved profile cannot change.":"Letters, digits and . _ @ + -; used in addresses and logs.",error:p.id,required:!0,disabled:s}),e(R,{label:"Name",value:i.name,onInput:m=>Y({name:m}),hint:"For example “Sales team”.",error:p.name,required:!0}),e("p",{class:"hint",children:["Time zone check: this browser is in ",e("strong",{children:sr}),". Times are synced as instants with their zone, so people in other zones see them correctly; set the CRM's zone in its settings on the next step."]})]}),d===1&&e("div",{class:"wizard-systems",children:[Yt("crm"),Yt("mailbox")]}),d===2&&e($,{children:[e("fieldset",{children:[e("legend",{children:"Kinds and directions"}),p.directions&&e("p",{class:"field-error",children:p.directions}),e("div",{class:"form-row",children:Object.keys(i.directions).map(m=>e(De,{label:ae[m]??m,value:i.directions[m],options:gn,onChange:w=>Y({directions:{...i.directions,[m]:w}})},m))})]}),e("fieldset",{children:[e("legend",{children:"Window and polling"}),e("div",{class:"form-row",children:[e(R,{label:"Days back",inputMode:"numeric",value:i.daysBack,onInput:m=>Y({daysBack:m}),error:p.daysBack}),e(R,{label:"Days ahead",inputMode:"numeric",value:i.daysAhead,onInput:m=>Y({daysAhead:m}),error:p.daysAhead}),e(R,{label:"Poll every (seconds)",inputMode:"numeric",value:i.pollSeconds,onInput:m=>Y({pollSeconds:m}),error:p.pollSeconds})]})]}),e("fieldset",{children:[e("legend",{children:"Filters"}),e(Ee,{label:"Leave out private items",checked:i.skipPrivate,onChange:m=>Y({skipPrivate:m})}),e(Ee,{label:"Leave out all-day items",checked:i.skipAllDay,onChange:m=>Y({skipAllDay:m})}),e(Ee,{label:"Leave out items shown as free",checked:i.skipFree,onChange:m=>Y({skipFree:m})}),e(Ee,{label:"Leave out recurring series",checked:i.skipRecurring,onChange:m=>Y({skipRecurring:m})})]}),e("fieldset",{children:[e("legend",{children:"Conflicts and deletes"}),e("div",{class:"form-row",children:[e(De,{label:"When both sides changed a field",value:i.policy,options:[["NEWEST","The newest change wins"],["CRM_WINS","The CRM wins"],["MAILBOX_WINS","The mailbox wins"]],onChange:m=>Y({policy:m}),error:p.policy}),e(De,{label:"When one side deleted what the other changed",value:i.onDelete,options:[["UPDATE_WINS","Keep the item (recreate it)"],["DELETE_WINS","Delete it on both sides"]],onChange:m=>Y({onDelete:m}),error:p.onDelete})]})]}),e("fieldset",{children:[e("legend",{children:"Mass-change guard"}),e("p",{class:"hint",children:"A run that would delete or create more than both limits waits for your approval."}),e("div",{class:"form-row",children:[e(R,{label:"Deletes: more than (items)",inputMode:"numeric",value:i.guardDeletes,onInput:m=>Y({guardDeletes:m}),error:p["guard.deletes.count"]}),e(R,{label:"Deletes: and more than (%)",inputMode:"numeric",value:i.guardDeletesPercent,onInput:m=>Y({guardDeletesPercent:m}),error:p["guard.deletes.percent"]}),e(R,{label:"Creates: more than (items)",inputMode:"numeric",value:i.guardCreates,onInput:m=>Y({guardCreates:m}),error:p["guard.creates.count"]}),e(R,{label:"Creates: and more than (%)",inputMode:"numeric",value:i.guardCreatesPercent,onInput:m=>Y({guardCreatesPercent:m}),error:p["guard.creates.percent"]})]})]}),e(ba,{draft:i})]}),d===3&&e($,{children:[e("p",{class:"hint",children:"Link each CRM account to its mailbox. You can also link users later from the Users area."}),e("div",{class:"match-users",children:[e(I,{variant:"primary",onClick:or,busy:Ie.busy,busyLabel:"Matching users…",disabled:A,children:"Match users by e-mail"}),e("p",{class:"hint",children:"Lists both systems' users and pairs them by e-mail address, then by aliases; review the rows, untick or edit them."}),e("div",{role:"status","aria-live":"polite",children:ee&&e("p",{children:[ee.pairs.length," pairs found, ",Ie.added," added to the table",ee.pairs.length>Ie.added?` (${ee.pairs.length-Ie.added} were already in it)`:"","."]})}),ee?.message&&e(F,{kind:"warning",children:ee.message}),e(L,{error:Ie.error,title:"The users could not be matched"}),ee&&ee.unmatchedCrm.length>0&&e("div",{class:"alert alert-warning",children:[e("p",{class:"alert-title",children:ee.complete?`${ee.unmatchedCrm.length} CRM users have no mailbox with their address`:`${ee.unmatchedCrm.length} CRM users, not matched`}),e("p",{children:ee.complete?"Add them by hand with their mailbox address (or import a CSV), or give the mailbox an alias with the CRM address and match again. An address two accounts share is not used.":"The other system could not be listed (see above): add them by hand or import a CSV, or fix the connection and match again."}),e("ul",{children:ee.unmatchedCrm.map(m=>e("li",{children:[m.name||m.id," ",e("span",{class:"muted",children:m.email||"no e-mail address"})]},m.id))})]})]}),i.users.map((m,w)=>e("fieldset",{class:`user-row${m.skip?" user-skipped":""}`,children:[e("legend",{children:["User ",w+1,m.match?` (matched by ${m.match})`:""]}),e(Ee,{label:`Link user ${w+1}`,checked:!m.skip,onChange:C=>Ne(w,{skip:!C})}),e("div",{class:"form-row",children:[e(R,{label:"User id",value:m.id,onInput:C=>Ne(w,{id:C}),error:p[`users.${w}.id`]}),e(R,{label:"CRM account id",value:m.crmId,onInput:C=>Ne(w,{crmId:C}),error:p[`users.${w}.crm.id`]}),e(R,{label:"CRM e-mail",inputMode:"email",value:m.crmEmail,onInput:C=>Ne(w,{crmEmail:C,mailboxEmail:m.mailboxEmail||C}),error:p[`users.${w}.crm.email`]}),e(R,{label:"Mailbox e-mail",inputMode:"email",value:m.mailboxEmail,onInput:C=>Ne(w,{mailboxEmail:C}),error:p[`users.${w}.mailbox.email`]})]}),e(I,{variant:"ghost",onClick:()=>Y({users:i.users.filter((C,D)=>D!==w)}),children:["Remove user ",w+1]})]},w)),e("p",{children:e(I,{onClick:()=>Y({users:[...i.users,{id:"",crmId:"",crmEmail:"",mailboxId:"",mailboxEmail:""}]}),children:"Add a user"})}),e(bn,{label:"Import users from CSV",value:ie,onInput:le,hint:e($,{children:["One user a line: ",e("code",{children:Fe})," (the header row is optional; the mailbox e-mail defaults to the CRM e-mail)."]}),rows:4}),e("div",{class:"form-actions",children:[e(I,{onClick:()=>{const m=Js(ie);for(const w of m.users)!w.mailboxEmail&&!w.mailboxId&&(w.mailboxEmail=w.crmEmail);ce(m.errors),m.users.length&&(Y({users:[...i.users,...m.users]}),le(""))},children:"Import"}),i.users.length>0&&e("a",{class:"btn btn-secondary",download:`${i.id||"profile"}-users.csv`,href:`data:text/csv;charset=utf-8,${encodeURIComponent(Qs(i.users.filter(m=>!m.skip)))}`,children:"Export as CSV"})]}),J.length>0&&e("div",{class:"alert alert-warning",role:"alert",children:[e("p",{class:"alert-title",children:"Some lines were not imported"}),e("ul",{children:J.map(m=>e("li",{children:m},m))})]})]}),d===4&&e($,{children:[e("dl",{class:"facts",children:[e("dt",{children:"Profile"}),e("dd",{children:[i.name," ",e("span",{class:"code-name inline",children:i.id})]}),e("dt",{children:"CRM"}),e("dd",{children:[Re[i.crm.type]?.label??i.crm.type," (",i.crm.instance,"), ",vt(i.crm).length," secrets to store"]}),e("dt",{children:"Mailboxes"}),e("dd",{children:[Re[i.mailbox.type]?.label??i.mailbox.type," (",i.mailbox.instance,"), ",vt(i.mailbox).length," secrets to store"]}),e("dt",{children:"Syncs"}),e("dd",{children:Object.keys(i.directions).filter(m=>i.directions[m]!=="OFF").map(m=>`${ae[m]??m}: ${gn.find(([w])=>w===i.directions[m])?.[1]}`).join(", ")}),e("dt",{children:"Window"}),e("dd",{children:[i.daysBack," days back, ",i.daysAhead," days ahead; polling every ",i.pollSeconds," s"]}),e("dt",{children:"Users"}),e("dd",{children:i.users.filter(m=>!m.skip).length?i.users.filter(m=>!m.skip).map(m=>m.id).join(", "):"none yet (link them later)"})]}),e("section",{class:"review-checks","aria-labelledby":"review-checks-h",children:[e("h3",{id:"review-checks-h",children:"Checks of both systems"}),e("div",{class:"wizard-systems",children:Ce.map(m=>{const w=pe[m];return e("div",{role:"status","aria-live":"polite",children:[w.phase&&e(V,{label:`${ge[m]}: ${w.phase==="secrets"?"storing the secrets…":"running the checks…"}`}),w.report&&e(nt,{title:ge[m],report:w.report}),w.error&&e(L,{error:w.error,title:`${ge[m]}: the checks did not run`}),!w.phase&&!w.report&&!w.error&&p[`${m}.settings`]&&e("p",{class:"field-error",children:[ge[m],": ",p[`${m}.settings`]," (go back to step 2)"]})]},m)})}),e(I,{onClick:Bt,busy:Ce.some(m=>!!pe[m].phase),busyLabel:"Running the checks…",disabled:A,children:"Run the checks again"}),Ce.some(m=>pe[m].report&&!pe[m].report.ok)&&e("p",{class:"hint",children:"A failed check does not stop you from saving, but the sync will not work until it is fixed."})]}),k.length>0&&e("ol",{class:"progress-list","aria-label":"Progress",children:k.map(m=>e("li",{class:`progress-${m.state}`,children:[m.label,": ",m.state==="waiting"?"waiting":m.state==="running"?"in progress…":m.state==="done"?"done":"failed"]},m.label))}),e(L,{error:v,title:s?"The profile was not saved":"The profile was not created"})]}),e("div",{class:"form-actions wizard-nav",children:[d>0&&e(I,{onClick:()=>Ft(d-1),disabled:A,children:"Back"}),d<4?e(I,{variant:"primary",onClick:ar,children:["Next: ",Je[d+1]]}):e(I,{variant:"primary",onClick:()=>Wt(!1),busy:A,busyLabel:s?"Saving…":"Creating…",children:s?"Save changes":"Create and activate"}),e(I,{variant:"ghost",onClick:()=>me(s?`/profiles/${encodeURIComponent(i.id)}`:"/profiles"),disabled:A,children:"Cancel"})]})]}),e(Te,{open:!!We,title:`Unlink ${We?.length??0} user${We?.length===1?"":"s"}?`,confirmLabel:"Save and unlink",busyLabel:"Saving…",onClose:()=>ut(null),onConfirm:async()=>{ut(null),await Wt(!0)},children:[e("p",{children:"Saving stops syncing these users and forgets their sync state; the items already in their CRM and mailbox stay as they are:"}),e("ul",{children:(We??[]).map(m=>e("li",{children:m},m))})]})]})}function Ia(){const{api:n}=P(),t=Q(()=>n.smtpSettings()),[r,s]=g(null),i=r??!!t.data?.smtpSettings;return e($,{children:[e(j,{title:"Settings",intro:"How this appliance sends e-mail: test mails and sign-in invitations for Microsoft 365 mailboxes."}),t.loading&&e(V,{label:"Loading the e-mail settings…"}),e(L,{error:t.error,title:"Could not load the e-mail settings",onRetry:t.reload}),t.data&&e($,{children:[e(Sa,{initial:Gn(t.data.smtpSettings),onSaved:()=>s(!0)}),e(Ca,{configured:i})]})]})}function Sa(n){const{api:t}=P(),[r,s]=g(n.initial),[i,a]=g({}),[o,c]=g(null),[u,l]=g(!1),[h,b]=g(!1),d=re(null),f=y=>{s(v=>({...v,...y})),b(!1)},p=async y=>{y.preventDefault();const v=Ys(r);if(a(v),c(null),b(!1),Object.keys(v).length){se(d.current);return}l(!0);try{const _=await t.saveSmtpSettings({input:Hs(r)});s(Gn(_.saveSmtpSettings)),b(!0),n.onSaved()}catch(_){const k=ue(_,[...qs]);a(k.fields),c(k.general),se(d.current)}finally{l(!1)}};return e("section",{class:"card","aria-labelledby":"smtp-h",children:[e("h2",{id:"smtp-h",children:"Outgoing e-mail (SMTP)"}),!n.initial.host&&!h&&e("p",{class:"muted",children:"No SMTP settings are saved yet."}),e("p",{class:"muted",children:"The appliance sends few mails: a test mail and, from a user's page, the Microsoft sign-in invitation of a delegated mailbox."}),h&&e(F,{kind:"success",children:"The SMTP settings are saved."}),e("form",{ref:d,onSubmit:p,noValidate:!0,class:"narrow",children:[e(L,{error:o,title:"The settings were not saved"}),e(R,{label:"SMTP server",name:"host",value:r.host,onInput:y=>f({host:y}),required:!0,error:i.host,hint:"The host name, like smtp.office365.com.",autoComplete:"off"}),e(De,{label:"Security",value:r.security,options:Bs,onChange:y=>{s(v=>Ws(v,y)),b(!1)},error:i.security}),e(R,{label:"Port",name:"port",value:r.port,onInput:y=>f({port:y}),required:!0,inputMode:"numeric",error:i.port}),e(R,{label:"User name",name:"username",value:r.username,onInput:y=>f({username:y}),error:i.username,hint:"Leave empty if the server needs no sign-in.",autoComplete:"off"}),e(R,{label:"Password",name:"password",type:"password",value:r.password,onInput:y=>f({password:y}),error:i.password,hint:Vs(r),autoComplete:"new-password"}),r.passwordSet&&!r.password&&e(Ee,{label:"Remove the saved password",checked:r.clearPassword,onChange:y=>f({clearPassword:y})}),e(R,{label:"Sender address",name:"from",type:"email",inputMode:"email",value:r.from,onInput:y=>f({from:y}),required:!0,error:i.from,hint:"The address the mails come from, like sync@example.com.",autoComplete:"off"}),e(R,{label:"Sender name",name:"fromName",value:r.fromName,onInput:y=>f({fromName:y}),error:i.fromName,autoComplete:"off"}),e(I,{type:"submit",variant:"primary",busy:u,busyLabel:"Saving…",children:"Save e-mail settings"})]})]})}function Ca(n){const{api:t,viewer:r}=P(),[s,i]=g(r?.email??""),[a,o]=g(""),[c,u]=g(null),[l,h]=g(!1),[b,d]=g(null),f=re(null),p=async y=>{y.preventDefault();const v=zs(s);if(o(v),u(null),d(null),v){se(f.current);return}h(!0);try{const _=await t.sendTestMail({to:s.trim()});d(_.sendTestMail)}catch(_){const k=ue(_,["to"]);o(k.fields.to??""),u(k.general??(k.fields.to?null:H(_))),se(f.current)}finally{h(!1)}};return e("section",{class:"card","aria-labelledby":"test-h",children:[e("h2",{id:"test-h",children:"Send a test mail"}),!n.configured&&e("p",{class:"muted",children:"Save the SMTP settings first; the test mail uses the saved settings."}),b&&(b.sent?e(F,{kind:"success",children:b.message}):e(F,{kind:"warning",children:b.message})),e("form",{ref:f,onSubmit:p,noValidate:!0,class:"narrow",children:[e(L,{error:c,title:"The test mail was not sent"}),e(R,{label:"Send to",name:"to",type:"email",inputMode:"email",value:s,onInput:i,required:!0,error:a,autoComplete:"email"}),e(I,{type:"submit",busy:l,busyLabel:"Sending…",disabled:!n.configured,children:"Send a test mail"})]})]})}function wn(n){return e("ul",{children:n.areas.map(t=>e("li",{children:e(O,{href:t.path,class:`nav-link${n.current===t.path?" active":""}`,"aria-current":n.current===t.path?"page":void 0,onClick:n.onNavigate,children:t.label})},t.path))})}function $e(n){const{viewer:t,signOut:r,version:s}=P(),[i,a]=g(!1),[o,c]=g(!1),[u,l]=g(null),h=ve(n.path),b=Oi(t),d=b.filter(p=>p.group==="sync"),f=b.filter(p=>p.group==="system");return ne(()=>a(!1),[h]),e("div",{class:"shell",children:[e("a",{class:"skip-link",href:"#main",children:"Skip to content"}),e("header",{class:"topbar",children:[e("button",{type:"button",class:"btn btn-ghost menu-toggle","aria-expanded":i?"true":"false","aria-controls":"sidenav",onClick:()=>a(!i),children:i?"Close menu":"Menu"}),e(O,{href:"/",class:"brand",children:[e("span",{class:"brand-mark","aria-hidden":"true"})," Synchronizer"]}),e("div",{class:"topbar-right",children:[t&&e("span",{class:"who",children:[e("span",{class:"who-name",children:t.name||t.email}),e("span",{class:"badge",children:te(t)?"Admin":"User"})]}),e(I,{variant:"ghost",busy:o,busyLabel:"Signing out…",onClick:async()=>{c(!0),l(null);try{await r()}catch(p){l(H(p))}finally{c(!1)}},children:"Sign out"})]})]}),e("div",{class:"layout",children:[e("nav",{id:"sidenav",class:`sidenav${i?" open":""}`,"aria-label":"Main",children:[e("p",{class:"nav-group",id:"nav-sync",children:"Synchronization"}),e(wn,{areas:d,current:h,onNavigate:()=>a(!1)}),e("p",{class:"nav-group",id:"nav-system",children:"System"}),e(wn,{areas:f,current:h,onNavigate:()=>a(!1)}),e("p",{class:"nav-version",children:["Version ",s||"unknown"]})]}),e("main",{id:"main",class:"content",tabIndex:-1,children:[e(L,{error:u,title:"You are still signed in"}),n.children]})]})]})}const Ve=20,$a={RUNNING:"running",OK:"ok",FAILED:"failed",PARTIAL:"partly done",NEEDS_APPROVAL:"waits for approval",REJECTED:"rejected",APPROVED:"approved"};function Dt(n){return n==="CRM"?"CRM":"mailbox"}function Ra(n){const t=n.counts,r=[t.created&&`${t.created} created`,t.updated&&`${t.updated} updated`,t.deleted&&`${t.deleted} deleted`,t.conflicts&&`${t.conflicts} conflicts`,t.quarantined&&`${t.quarantined} quarantined`,t.errors&&`${t.errors} errors`].filter(Boolean);return r.length?r.join(", "):`no changes (${t.listed} items checked)`}function Aa(n){const{api:t}=P(),{profileId:r,userId:s}=n,i=Q(()=>t.syncProfiles(),[r,s]),a=ct(),o=i.data?.syncProfiles.find(h=>h.id===r),c=o?.users.find(h=>h.id===s),u=c?.crm.name||s,l=c?Mt(c):null;return e($,{children:[e("p",{class:"breadcrumb",children:[e(O,{href:"/users",children:"Users"})," ",e("span",{"aria-hidden":"true",children:"›"})," ",o?.name??r]}),e(j,{title:u,intro:c?`${c.crm.email||"no CRM e-mail"} ⇄ ${c.mailbox.email||"no mailbox e-mail"}`:void 0,actions:c&&e($,{children:[e(I,{variant:"primary",busy:a.busy==="now",busyLabel:"Queuing…",onClick:()=>a.run("now",()=>t.syncNow({profileId:r,userId:s}),`${u} is queued to sync now.`,i.reload),children:"Sync now"}),c.status?.paused?e(I,{busy:a.busy==="resume",busyLabel:"Resuming…",onClick:()=>a.run("resume",()=>t.resumeSync({profileId:r,userId:s}),`${u} syncs again.`,i.reload),children:"Resume"}):e(I,{busy:a.busy==="pause",busyLabel:"Pausing…",onClick:()=>a.run("pause",()=>t.pauseSync({profileId:r,userId:s}),`${u} is paused; changes wait until you resume.`,i.reload),children:"Pause"})]})}),i.loading&&!i.data&&e(V,{label:"Loading the user…"}),e(oe,{error:i.error,what:"the user",onRetry:i.reload}),e(L,{error:a.error,title:"The command did not run"}),a.done&&e(F,{kind:"success",children:a.done}),i.data&&!c&&e(de,{title:"No such linked user",children:e("p",{children:["There is no user “",s,"” in the profile “",r,"”. They may have been unlinked. ",e(O,{href:"/users",children:"See all users"}),"."]})}),c&&l&&e("section",{class:"card","aria-labelledby":"state-h",children:[e("h2",{id:"state-h",children:"State"}),e("dl",{class:"facts",children:[e("dt",{children:"Now"}),e("dd",{class:l.warn?"text-warn":void 0,children:[l.text,l.at?` (as of ${M(l.at)})`:""]}),e("dt",{children:"Last run"}),e("dd",{children:M(c.status?.lastRun)}),e("dt",{children:"Next run"}),e("dd",{children:M(c.status?.nextRun)}),c.status?.lastError&&e($,{children:[e("dt",{children:"Last error"}),e("dd",{class:"wrap",children:[K(c.status.lastError)," ",e("span",{class:"muted",children:["(",M(c.status.lastErrorAt),")"]})]})]})]})]}),c&&o&&e(Ea,{profileId:r,userId:s,email:c.mailbox.email}),c&&e(va,{profileId:r,userId:s}),c&&e(xa,{profileId:r,userId:s}),c&&e(Na,{profileId:r,userId:s}),c&&e(Pa,{profileId:r,userId:s})]})}function Ea(n){const{api:t}=P(),[r,s]=g(""),[i,a]=g(null),[o,c]=g(null),[u,l]=g(null),h=async()=>{s("mail"),a(null),c(null),l(null);try{const d=await t.inviteMailboxUser({profileId:n.profileId,userId:n.userId});c(d.inviteMailboxUser)}catch(d){a(H(d))}finally{s("")}},b=async()=>{s("link"),a(null),c(null);try{const d=await t.createPortalInvitation({profileId:n.profileId,userId:n.userId});l(d.createPortalInvitation)}catch(d){a(H(d))}finally{s("")}};return e("section",{class:"card","aria-labelledby":"invite-h",children:[e("h2",{id:"invite-h",children:"Portal invitation"}),e("p",{children:["The user's own portal shows them how their sync is doing and lets them authorize their mailbox themselves. An invitation link signs"," ",n.email?e("strong",{children:n.email}):"the user"," in once, without a password, and is valid for 7 days; a new invitation replaces the previous one. E-mailing it uses the settings under ",e(O,{href:"/settings",children:"Settings"}),"."]}),o&&e(F,{kind:o.sent?"success":"warning",children:o.message}),u&&e("div",{class:"alert alert-success",role:"status",children:[e("p",{class:"alert-title",children:["Invitation link (shown once, valid until ",M(u.expiresAt),")"]}),e("p",{children:e("code",{class:"wrap","data-testid":"portal-invitation-link",children:u.link})}),e(Ot,{text:u.link,label:"Copy the link"})]}),e(L,{error:i,title:"No invitation was made"}),e("div",{class:"card-actions",children:[e(I,{busy:r==="mail",busyLabel:"Sending the invitation…",onClick:h,disabled:r!=="",children:"E-mail a sign-in invitation"}),e(I,{busy:r==="link",busyLabel:"Creating the link…",onClick:b,disabled:r!=="",children:"Create an invitation link"})]})]})}function xa(n){const{api:t}=P(),[r,s]=g([]),[i,a]=g(!1),[o,c]=g(!1),[u,l]=g(null),h=Q(async()=>{const v=await t.userRuns({profileId:n.profileId,userId:n.userId,first:Ve});return s(v.syncRuns),a(v.syncRuns.length===Ve),v},[n.profileId,n.userId]),[b,d]=g(null),[f,p]=g(""),y=async()=>{const v=r.at(-1);if(v){c(!0),l(null);try{const _=await t.userRuns({profileId:n.profileId,userId:n.userId,first:Ve,before:v.id});s([...r,..._.syncRuns]),a(_.syncRuns.length===Ve)}catch(_){l(H(_))}finally{c(!1)}}};return e("section",{class:"card","aria-labelledby":"runs-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"runs-h",children:"Runs"}),e("div",{class:"card-actions",children:e(I,{onClick:h.reload,busy:h.loading&&!!h.data,busyLabel:"Refreshing…",children:"Refresh runs"})})]}),h.loading&&!h.data&&e(V,{label:"Loading runs…"}),e(oe,{error:h.error,what:"the runs",onRetry:h.reload}),f&&e(F,{kind:"success",children:f}),h.data&&r.length===0&&e("p",{children:"No run yet: the first one starts soon after the user is linked."}),r.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Runs of this user",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Started"}),e("th",{scope:"col",children:"Kind"}),e("th",{scope:"col",children:"Why"}),e("th",{scope:"col",children:"Outcome"}),e("th",{scope:"col",children:"What it did"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:r.map(v=>e("tr",{class:v.status==="FAILED"||v.status==="PARTIAL"?"row-warn":void 0,children:[e("td",{class:"when",children:M(v.start)}),e("td",{children:ae[v.kind]??v.kind}),e("td",{children:v.trigger}),e("td",{children:[$a[v.status]??v.status,v.error&&e("div",{class:"wrap muted",children:K(v.error)}),v.undoneBy&&e("div",{class:"muted",children:"undone"}),v.undoOf&&e("div",{class:"muted",children:"an undo"})]}),e("td",{children:[Ra(v),v.operations.length>0&&e("details",{children:[e("summary",{children:[v.operations.length," ",v.operations.length===1?"write":"writes",e("span",{class:"sr-only",children:[" of the run started ",M(v.start)]})]}),e("ol",{class:"ops",children:v.operations.map(_=>e("li",{children:[_.action," in the ",Dt(_.side)," ",e("span",{class:"code-name inline",children:_.itemId})]},_.seq))})]})]}),e("td",{class:"actions",children:v.operations.length>0&&!v.undoneBy&&v.status!=="RUNNING"&&e(I,{variant:"ghost","aria-label":`Undo the run started ${M(v.start)}`,onClick:()=>d(v),children:"Undo…"})})]},v.id))})]})}),e(L,{error:u,title:"Could not load older runs",onRetry:y}),i&&e("p",{children:e(I,{onClick:y,busy:o,busyLabel:"Loading older runs…",children:"Show older runs"})}),e(Te,{open:b!==null,title:"Undo this run?",confirmLabel:"Undo run",busyLabel:"Undoing…",onClose:()=>d(null),onConfirm:async()=>{if(!b)return;const _=(await t.undoRun({id:b.id})).undoSyncRun;p(_.status==="PARTIAL"?"Undone in part: items changed since that run were left alone. The undo run is listed first.":"Undone: every write of that run was reversed. The undo run is listed first and can itself be undone."),h.reload()},children:e("p",{children:["The ",b?.operations.length," writes of the run started ",M(b?.start)," are reversed, newest first. Items changed since then are left alone."]})})]})}const Ta={created:"copied (created)",updated:"copied (updated)",deleted:"deleted",unchanged:"unchanged",echo:"our own change coming back","outside-window":"outside the date window",filtered:"left out by a filter",policy:"decided by the conflict policy",conflict:"conflict",guard:"held by the mass-change guard",error:"error",quarantined:"quarantined","direction-off":"direction is off",linked:"linked"};function Na(n){const{api:t}=P(),[r,s]=g(""),[i,a]=g(""),[o,c]=g(!1),[u,l]=g(null),[h,b]=g(""),[d,f]=g(null),p=async _=>{_.preventDefault();const k=r.trim();if(!k){b("Enter the id of the item, as the CRM or the mailbox shows it.");return}b(""),c(!0),l(null);try{const S=await t.trace({itemId:k});f(S.syncTrace),a(k)}catch(S){l(H(S))}finally{c(!1)}},y=d?.filter(_=>_.userId===n.userId&&_.profileId===n.profileId)??[],v=(d?.length??0)-y.length;return e("section",{class:"card","aria-labelledby":"trace-h",children:[e("h2",{id:"trace-h",children:"Why is this item not synced?"}),e("p",{class:"muted",children:"Give the item's id on either side (an appointment id in the CRM, an event id in the mailbox) to see every decision the engine made about it."}),e("form",{class:"trace-form",onSubmit:p,noValidate:!0,children:[e("div",{class:`field${h?" field-invalid":""}`,children:[e("label",{for:"trace-item",children:"Item id"}),e("input",{id:"trace-item",value:r,onInput:_=>s(_.target.value),"aria-invalid":h?"true":void 0,"aria-describedby":h?"trace-item-error":void 0,autocomplete:"off",spellcheck:!1}),h&&e("p",{class:"field-error",id:"trace-item-error",children:h})]}),e("div",{class:"form-actions",children:e(I,{type:"submit",busy:o,busyLabel:"Searching…",children:"Show decisions"})})]}),e(L,{error:u,title:"Could not load the trace"}),d&&y.length===0&&e("p",{role:"status",children:["No decision about “",i,"” for this user."," ",v>0?`${v} decisions concern other users: check the id belongs to this user.`:"The engine has not seen it: check the id, and that the item lies within the profile’s date window and a synced kind."]}),y.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":`Decisions about ${i}`,children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"When"}),e("th",{scope:"col",children:"Side"}),e("th",{scope:"col",children:"Decision"}),e("th",{scope:"col",children:"Why"})]})}),e("tbody",{children:y.map((_,k)=>e("tr",{class:_.decision==="error"||_.decision==="quarantined"?"row-warn":void 0,children:[e("td",{class:"when",children:M(_.at)}),e("td",{children:Dt(_.side)}),e("td",{children:Ta[_.decision]??_.decision}),e("td",{class:"wrap",children:_.reason?K(_.reason):"—"})]},k))})]})})]})}function Pa(n){const{api:t}=P(),r=Q(()=>t.quarantine({profileId:n.profileId}),[n.profileId]),s=ct(),i=(r.data?.syncQuarantine??[]).filter(a=>a.userId===n.userId);return e("section",{class:"card","aria-labelledby":"quar-h",children:[e("h2",{id:"quar-h",children:"Quarantined items"}),e("p",{class:"muted",children:"Items the engine could not read or write. They are skipped until they change; release one after fixing it to have it read again."}),r.loading&&!r.data&&e(V,{label:"Loading quarantined items…"}),e(oe,{error:r.error,what:"the quarantined items",onRetry:r.reload}),e(L,{error:s.error,title:"The item was not released"}),s.done&&e(F,{kind:"success",children:s.done}),r.data&&i.length===0&&e("p",{children:"None: every item of this user could be synced."}),i.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Quarantined items of this user",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Item"}),e("th",{scope:"col",children:"Field"}),e("th",{scope:"col",children:"Reason"}),e("th",{scope:"col",children:"Since"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:i.map(a=>{const o=`${a.side}/${a.itemId}`;return e("tr",{children:[e("td",{children:[ae[a.kind]??a.kind," in the ",Dt(a.side)," ",e("span",{class:"code-name",children:a.itemId})]}),e("td",{children:a.field||"—"}),e("td",{class:"wrap",children:K(a.reason)}),e("td",{class:"when",children:M(a.at)}),e("td",{class:"actions",children:e(I,{variant:"ghost",busy:s.busy===o,busyLabel:"Releasing…","aria-label":`Release ${a.itemId}`,onClick:()=>s.run(o,()=>t.releaseQuarantine({input:{profileId:a.profileId,userId:a.userId,kind:a.kind,side:a.side,itemId:a.itemId}}),`Released ${a.itemId}: the next run reads it again.`,r.reload),children:"Release"})})]},o)})})]})})]})}function La(n){const{api:t}=n,r=Ti(),[s,i]=g(null),[a,o]=g(null),[c,u]=g(!1),l=re(null);l.current=s?.viewer??null;const h=async()=>{u(!0);try{const p=await t.boot();i({state:p.systemStatus.state,version:p.systemStatus.version,viewer:p.me}),o(null)}catch(p){o(H(p))}finally{u(!1)}};ne(()=>{t.client.onUnauthenticated=()=>{if(!l.current)return;i(y=>y&&{...y,viewer:null});const p=window.location.pathname+window.location.search;me(`/login?reason=expired&next=${encodeURIComponent(p)}`,{replace:!0})},h()},[]);const b=s?Pi(s.state,s.viewer,r.pathname,r.search):null;ne(()=>{b?.redirect&&me(b.redirect,{replace:!0})},[b?.redirect]);const d=at(()=>s?{api:t,state:s.state,version:s.version,viewer:s.viewer,signedIn:p=>{i(v=>v&&{...v,state:"OK",viewer:p});const y=ve(window.location.pathname);if(y==="/invite"||y==="/setup")me("/",{replace:!0});else if(y==="/login"){const v=Rt(new URLSearchParams(window.location.search).get("next"));me(te(p)||v.startsWith("/account")?v:"/portal",{replace:!0})}},signOut:async()=>{await t.logout(),i(p=>p&&{...p,viewer:null}),me("/login?reason=signed-out",{replace:!0})}}:null,[t,s]);if(!s||!d)return e("div",{class:"auth-layout",children:e("main",{id:"main",class:"auth-card",children:a?e("div",{class:"alert alert-error",role:"alert",children:[e("h1",{class:"alert-title",children:"Synchronizer is not answering"}),e("p",{children:a.message}),e("p",{class:"alert-hint",children:a.hint}),e(I,{variant:"primary",onClick:h,busy:c,busyLabel:"Trying again…",children:"Try again"})]}):e(V,{label:"Loading Synchronizer…"})})});let f;return b?.redirect?f=e("div",{class:"auth-layout",children:e("main",{id:"main",class:"auth-card",children:e(V,{label:"Opening…"})})}):f=e(Oa,{path:ve(r.pathname),viewer:s.viewer}),e(Un.Provider,{value:d,children:f})}function Oa(n){const{path:t,viewer:r}=n;if(t==="/setup")return e(Es,{});if(t==="/login")return e(xs,{});if(t==="/invite")return e(Ts,{});const s=Fn(t);if(s)return e(Fs,{token:s});if(t==="/portal")return e($e,{path:"/portal",children:e(Ls,{})});const i=Mi(t);if(i)return e($e,{path:"/users",children:te(r)?e(Aa,{profileId:i.profileId,userId:i.userId}):e(Pe,{title:"Users"})});const a=/^\/profiles\/([^/]+)\/(edit|checks)$/.exec(t);if(a){let l=a[1];try{l=decodeURIComponent(l)}catch{}const h=a[2]==="edit"?e(vn,{editId:l},`edit-${l}`):e(on,{profileId:l});return e($e,{path:a[2]==="edit"?"/profiles":"/checks",children:te(r)?h:e(Pe,{title:"Profiles"})})}const o=/^\/profiles\/([^/]+)$/.exec(t);if(o&&t!=="/profiles/new"){let l="";try{l=decodeURIComponent(o[1])}catch{l=o[1]}return e($e,{path:"/profiles",children:te(r)?e(an,{only:l,search:window.location.search}):e(Pe,{title:"Profiles"})})}if(t==="/profiles/new")return e($e,{path:"/profiles",children:te(r)?e(vn,{},"new"):e(Pe,{title:"Profiles"})});const c=Li(t);let u;return c?.adminOnly&&!te(r)?u=e(Pe,{title:c.label}):t==="/"?u=e(Yi,{}):t==="/admins"?u=e(Di,{}):t==="/audit"?u=e(Vi,{}):t==="/account"?u=e(Wi,{}):t==="/profiles"?u=e(an,{}):t==="/users"?u=e(hs,{}):t==="/conflicts"?u=e(ps,{}):t==="/approvals"?u=e(ys,{}):t==="/governor"?u=e(bs,{}):t==="/settings"?u=e(Ia,{}):t==="/checks"?u=e(on,{}):Wn[t]?u=e(Hi,{path:t}):u=e(jn,{}),e($e,{path:t,children:u})}const _n=document.getElementById("app");_n&&gr(e(La,{api:new _i(new Rr)}),_n);
